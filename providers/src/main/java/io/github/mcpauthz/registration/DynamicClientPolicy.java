package io.github.mcpauthz.registration;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.registry.CanonicalResource;
import io.github.mcpauthz.registry.InvalidResourceException;
import io.github.mcpauthz.registry.McpServerRegistry;
import jakarta.ws.rs.core.Response;
import org.keycloak.common.util.Time;
import org.keycloak.component.ComponentModel;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.services.ErrorResponseException;
import org.keycloak.services.clientregistration.ClientRegistrationContext;
import org.keycloak.services.clientregistration.ClientRegistrationProvider;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicyException;
import org.keycloak.services.clientregistration.policy.RegistrationAuth;

/**
 * Client registration policy for MCP clients (RFC 7591/7592): validates the metadata hard, stores loopback redirect
 * URIs without a port, and enforces consent, PKCE S256, the code + refresh grants only and full scope off, on
 * registration and on every update. Rejections are RFC 7591 errors, raised before Keycloak creates anything.
 */
public class DynamicClientPolicy implements ClientRegistrationPolicy {

    /** Client attributes Keycloak reads to require PKCE and to always show the client on the consent page. */
    static final String PKCE_METHOD = "pkce.code.challenge.method";
    static final String DISPLAY_ON_CONSENT = "display.on.consent.screen";
    static final String CONSENT_TEXT = "consent.screen.text";
    static final String POST_LOGOUT_REDIRECT_URIS = "post.logout.redirect.uris";

    private final KeycloakSession session;
    private final ComponentModel model;

    public DynamicClientPolicy(KeycloakSession session, ComponentModel model) {
        this.session = session;
        this.model = model;
    }

    @Override
    public void beforeRegister(ClientRegistrationContext context) throws ClientRegistrationPolicyException {
        DynamicClientMetadata.Validated validated = validate(context);
        apply(context.getClient(), validated);
        session.setAttribute(VALIDATED_ATTRIBUTE, validated);
    }

    @Override
    public void afterRegister(ClientRegistrationContext context, ClientModel client) {
        enforce(client);
        DynamicClientMetadata.Validated validated = session.getAttribute(VALIDATED_ATTRIBUTE, DynamicClientMetadata.Validated.class);
        long now = Time.currentTime();
        client.setAttribute(DynamicClients.DYNAMIC, "true");
        client.setAttribute(DynamicClients.METHOD, registrationMethod(context));
        client.setAttribute(DynamicClients.REGISTERED_AT, Long.toString(now));
        client.setAttribute(DynamicClients.LAST_USED, Long.toString(now));
        String address = session.getContext().getConnection() == null ? null : session.getContext().getConnection().getRemoteAddr();
        if (address != null) {
            client.setAttribute(DynamicClients.REGISTERED_FROM, address);
        }
        if (validated != null) {
            recordMetadata(client, validated);
        }
    }

    @Override
    public void beforeUpdate(ClientRegistrationContext context, ClientModel client) throws ClientRegistrationPolicyException {
        DynamicClientMetadata.Validated validated = validate(context);
        apply(context.getClient(), validated);
        session.setAttribute(VALIDATED_ATTRIBUTE, validated);
    }

    @Override
    public void afterUpdate(ClientRegistrationContext context, ClientModel client) {
        enforce(client);
        DynamicClientMetadata.Validated validated = session.getAttribute(VALIDATED_ATTRIBUTE, DynamicClientMetadata.Validated.class);
        if (validated != null) {
            recordMetadata(client, validated);
        }
    }

    @Override
    public void beforeView(ClientRegistrationProvider provider, ClientModel client) {
    }

    @Override
    public void beforeDelete(ClientRegistrationProvider provider, ClientModel client) {
    }

    private static final String VALIDATED_ATTRIBUTE = "mcp.registration.validated";

    private DynamicClientMetadata.Validated validate(ClientRegistrationContext context) {
        JsonNode metadata = session.getAttribute(DynamicClients.METADATA_SESSION_ATTRIBUTE, JsonNode.class);
        if (metadata == null) {
            throw reject(context, ClientMetadataException.metadata("MCP clients register at the OpenID Connect "
                    + "registration endpoint (clients-registrations/openid-connect) with RFC 7591 metadata"));
        }
        DynamicClientMetadata.Validated validated;
        try {
            validated = DynamicClientMetadata.validate(metadata, DynamicClientPolicyFactory.rules(model));
        } catch (ClientMetadataException e) {
            throw reject(context, e);
        }
        RealmModel realm = session.getContext().getRealm();
        for (String resource : validated.resources()) {
            try {
                if (McpServerRegistry.index(realm).find(CanonicalResource.parse(resource)).isEmpty()) {
                    throw reject(context, ClientMetadataException.metadata("resource " + RedirectUriRules.abbreviate(resource)
                            + " is not an MCP server registered in this realm"));
                }
            } catch (InvalidResourceException e) {
                throw reject(context, ClientMetadataException.metadata("resource is invalid: " + e.getMessage()));
            }
        }
        return validated;
    }

    private ErrorResponseException reject(ClientRegistrationContext context, ClientMetadataException e) {
        EventBuilder event = context.getProvider().getEvent();
        if (event != null) {
            event.detail(Details.REASON, e.description()).error(e.error());
        }
        return new ErrorResponseException(e.error(), e.description(), Response.Status.BAD_REQUEST);
    }

    /** Applies the validated metadata and the enforced settings to the client Keycloak is about to store. */
    public static void apply(ClientRepresentation rep, DynamicClientMetadata.Validated validated) {
        rep.setRedirectUris(new ArrayList<>(validated.redirectUris()));
        rep.setConsentRequired(true);
        rep.setFullScopeAllowed(false);
        rep.setStandardFlowEnabled(true);
        rep.setImplicitFlowEnabled(false);
        rep.setDirectAccessGrantsEnabled(false);
        rep.setServiceAccountsEnabled(false);
        rep.setBearerOnly(false);
        Map<String, String> attributes = rep.getAttributes() == null ? new HashMap<>() : new HashMap<>(rep.getAttributes());
        attributes.putAll(enforcedAttributes());
        if (validated.postLogoutRedirectUris().isEmpty()) {
            attributes.remove(POST_LOGOUT_REDIRECT_URIS);
        } else {
            attributes.put(POST_LOGOUT_REDIRECT_URIS, String.join("##", validated.postLogoutRedirectUris()));
        }
        rep.setAttributes(attributes);
    }

    /** Re-applies the enforced settings to the stored client, whatever other policies or converters did. */
    public static void enforce(ClientModel client) {
        client.setConsentRequired(true);
        client.setFullScopeAllowed(false);
        client.setStandardFlowEnabled(true);
        client.setImplicitFlowEnabled(false);
        client.setDirectAccessGrantsEnabled(false);
        client.setServiceAccountsEnabled(false);
        client.setBearerOnly(false);
        enforcedAttributes().forEach(client::setAttribute);
    }

    static Map<String, String> enforcedAttributes() {
        Map<String, String> attributes = new HashMap<>();
        attributes.put(PKCE_METHOD, "S256");
        // Without a displayable item Keycloak skips the consent page even for consent-required clients;
        // the client itself is always such an item.
        attributes.put(DISPLAY_ON_CONSENT, "true");
        attributes.put(CONSENT_TEXT, "Sign you in and act on your behalf (this application registered itself)");
        attributes.put("oauth2.device.authorization.grant.enabled", "false");
        attributes.put("oidc.ciba.grant.enabled", "false");
        attributes.put("standard.token.exchange.enabled", "false");
        return attributes;
    }

    public static void recordMetadata(ClientModel client, DynamicClientMetadata.Validated validated) {
        client.setAttribute(DynamicClients.REDIRECT_HOSTS, String.join(" ", validated.redirectHosts()));
        client.setAttribute(DynamicClients.APPLICATION_TYPE, validated.applicationType().value());
        setOrRemove(client, DynamicClients.SOFTWARE_ID, validated.softwareId());
        setOrRemove(client, DynamicClients.SOFTWARE_VERSION, validated.softwareVersion());
        setOrRemove(client, DynamicClients.REQUESTED_RESOURCES,
                validated.resources().isEmpty() ? null : String.join(" ", validated.resources()));
    }

    private static void setOrRemove(ClientModel client, String name, String value) {
        if (value == null) {
            client.removeAttribute(name);
        } else {
            client.setAttribute(name, value);
        }
    }

    private String registrationMethod(ClientRegistrationContext context) {
        if (RegistrationAuth.ANONYMOUS.name().equalsIgnoreCase(model.getSubType())) {
            return "dcr-anonymous";
        }
        return context.getProvider().getAuth() != null && context.getProvider().getAuth().isInitialAccessToken()
                ? "dcr-initial-access-token" : "dcr-bearer-token";
    }

    @Override
    public void close() {
    }

}
