package io.github.mcpauthz.discovery;

import io.github.mcpauthz.core.client.RegistrationSettings;
import java.util.ArrayList;
import java.util.List;

import io.github.mcpauthz.core.KeycloakCompat;
import io.github.mcpauthz.core.McpRealm;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.representations.OIDCConfigurationRepresentation;
import org.keycloak.representations.idm.ClientProfileRepresentation;
import org.keycloak.services.clientpolicy.ClientPolicyException;
import org.keycloak.wellknown.WellKnownProvider;

/**
 * Adds {@code client_id_metadata_document_supported: true} (and {@code none} to the token endpoint auth methods) to
 * the discovery documents of realms where metadata documents work: MCP realms whose client profiles contain the
 * {@value ClientIdMetadataDocumentExecutorFactory#ID} executor. Other realms keep Keycloak's document.
 */
final class CimdDiscovery implements WellKnownProvider {

    private final KeycloakSession session;
    private final WellKnownProvider delegate;

    CimdDiscovery(KeycloakSession session, WellKnownProvider delegate) {
        this.session = session;
        this.delegate = delegate;
    }

    @Override
    public Object getConfig() {
        Object config = delegate.getConfig();
        RealmModel realm = session.getContext().getRealm();
        if (config instanceof OIDCConfigurationRepresentation oidc && realm != null && McpRealm.isEnabled(realm)) {
            boolean supported = supported(session, realm);
            // The typed field, not otherClaims: with --features=cimd Keycloak sets the typed field too, and both
            // would put the key into the JSON twice (strict parsers such as Nimbus JOSE+JWT refuse the document).
            if (KeycloakCompat.has(KeycloakCompat.Capability.CIMD_DISCOVERY_FIELD)) {
                TypedField.set(oidc, supported);
            } else {
                // Before 26.7 the representation has no such field (and Keycloak no cimd feature): an extra claim.
                oidc.setOtherClaims(CLAIM, supported);
            }
            if (supported) {
                List<String> methods = oidc.getTokenEndpointAuthMethodsSupported() == null
                        ? new ArrayList<>() : new ArrayList<>(oidc.getTokenEndpointAuthMethodsSupported());
                if (!methods.contains("none")) {
                    methods.add("none");
                }
                oidc.setTokenEndpointAuthMethodsSupported(methods);
            }
        }
        return config;
    }

    static final String CLAIM = "client_id_metadata_document_supported";

    /** Keycloak 26.7+ only: never loaded without {@link KeycloakCompat.Capability#CIMD_DISCOVERY_FIELD}. */
    private static final class TypedField {
        static void set(OIDCConfigurationRepresentation oidc, boolean supported) {
            oidc.setClientIdMetadataDocumentSupported(supported);
        }
    }

    static boolean supported(KeycloakSession session, RealmModel realm) {
        try {
            List<ClientProfileRepresentation> profiles = session.clientPolicy().getClientProfiles(realm, false).getProfiles();
            return profiles != null && profiles.stream()
                    .filter(p -> p.getExecutors() != null)
                    .flatMap(p -> p.getExecutors().stream())
                    .anyMatch(e -> RegistrationSettings.CIMD_EXECUTOR_ID.equals(e.getExecutorProviderId()));
        } catch (ClientPolicyException e) {
            return false;
        }
    }

    @Override
    public void close() {
        delegate.close();
    }
}
