package io.github.mcpauthz.cimd;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.mcpauthz.core.client.ClientMetadataException;
import io.github.mcpauthz.core.client.DynamicClientLimits;
import io.github.mcpauthz.core.client.DynamicClients;
import org.jboss.logging.Logger;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.models.CibaConfig;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.OIDCConfigAttributes;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.oidc.OIDCClientRepresentation;
import org.keycloak.services.clientregistration.ClientRegistrationException;
import org.keycloak.services.clientregistration.oidc.DescriptionConverter;
import org.keycloak.services.managers.ClientManager;
import org.keycloak.services.managers.RealmManager;

/**
 * The client a checked client ID metadata document becomes: created through the dynamic-client model that DCR uses
 * (same lock-down, same provenance), updated from a re-fetched document, and kept for the document's cache lifetime
 * with a fingerprint of what consent depends on (redirect URIs, keys, auth method).
 */
final class CimdClients {

    /** Epoch seconds until which the stored document is used without fetching it again. */
    static final String EXPIRES = "mcp.cimd.expires";
    /** SHA-256 of what consent depends on; a change replaces the client, which drops earlier consents. */
    static final String FINGERPRINT = "mcp.cimd.fingerprint";

    private static final Logger LOG = Logger.getLogger(CimdClients.class);

    private final KeycloakSession session;
    private final ObjectMapper mapper;

    CimdClients(KeycloakSession session, ObjectMapper mapper) {
        this.session = session;
        this.mapper = mapper;
    }

    /**
     * The document fields that may become part of the stored client: what the MCP client rules checked, and nothing
     * Keycloak would ever connect to on its own. Everything else is dropped, so no field of an accepted document
     * (jwks_uri, request_uris, sector_identifier_uri, backchannel_logout_uri, frontchannel_logout_uri,
     * backchannel_client_notification_endpoint, initiate_login_uri, ...) is stored, even where the shared metadata
     * rules let it through. The informational URLs kept ({@code client_uri}, {@code logo_uri}, {@code tos_uri},
     * {@code policy_uri}) and the redirect URIs are only ever opened by the user's browser. Scopes are asked for per
     * request; the realm's optional scopes stay available.
     */
    static final List<String> STORED_FIELDS = List.of("client_name", "redirect_uris", "post_logout_redirect_uris",
            "grant_types", "response_types", "token_endpoint_auth_method", "token_endpoint_auth_signing_alg", "jwks",
            "client_uri", "logo_uri", "tos_uri", "policy_uri", "software_id", "software_version", "dpop_bound_access_tokens");

    static ObjectNode storableMetadata(ObjectNode metadata) {
        ObjectNode kept = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        for (String field : STORED_FIELDS) {
            if (metadata.has(field)) {
                kept.set(field, metadata.get(field).deepCopy());
            }
        }
        return kept;
    }

    /**
     * Client settings that make Keycloak itself connect to a URL (key fetch, request objects, back-channel logout,
     * CIBA notification, pairwise sector check, admin push). A CIMD client never has them; removed again on every
     * store, also from clients created by earlier versions.
     */
    static final List<String> CONNECTING_ATTRIBUTES = List.of(OIDCConfigAttributes.JWKS_URL, OIDCConfigAttributes.REQUEST_URIS,
            OIDCConfigAttributes.BACKCHANNEL_LOGOUT_URL, OIDCConfigAttributes.FRONT_CHANNEL_LOGOUT_URI,
            OIDCConfigAttributes.SECTOR_IDENTIFIER_URI, CibaConfig.CIBA_BACKCHANNEL_CLIENT_NOTIFICATION_ENDPOINT);

    static void dropConnectingSettings(ClientModel client) {
        CONNECTING_ATTRIBUTES.forEach(client::removeAttribute);
        client.setAttribute(OIDCConfigAttributes.USE_JWKS_URL, "false");
        if (client.getManagementUrl() != null) {
            client.setManagementUrl(null);
        }
    }

    /**
     * Creates the client, then checks the realm's cap of {@code max} dynamic clients with it created, under the cap's
     * lock (see {@link DynamicClientLimits#admit}), as the last step before the success event and the commit. Over
     * the cap, the transaction is rolled back (nothing created, no success event) and the refusal is thrown.
     *
     * @throws DynamicClientLimits.CapUnavailable when the cap could not be checked (the transaction is rolled back)
     */
    ClientModel create(RealmModel realm, String clientId, ClientMetadataDocument.Checked checked, long now, int max)
            throws ClientMetadataException {
        ObjectNode metadata = storableMetadata(checked.metadata());
        ClientRepresentation rep;
        try {
            OIDCClientRepresentation oidc = mapper.treeToValue(metadata, OIDCClientRepresentation.class);
            rep = DescriptionConverter.toInternal(session, oidc);
        } catch (ClientRegistrationException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ClientMetadataException.metadata("the client ID metadata document cannot be used: " + e.getMessage());
        }
        rep.setClientId(clientId);
        DynamicClients.apply(rep, checked.validated());
        ClientModel client = ClientManager.createClient(session, realm, rep);
        try {
            DynamicClients.enforce(client);
            dropConnectingSettings(client);
            DynamicClients.recordMetadata(client, checked.validated());
            DynamicClients.markRegistered(session, client, DynamicClients.METHOD_CIMD, now);
        } catch (RuntimeException e) {
            new ClientManager(new RealmManager(session)).removeClient(realm, client); // never a half-made client
            throw e;
        }
        if (!DynamicClientLimits.admit(session, realm, client, max)) {
            throw ClientMetadataException.metadata(DynamicClientLimits.capReached(max));
        }
        new EventBuilder(realm, session, session.getContext().getConnection()).event(EventType.CLIENT_REGISTER)
                .client(clientId).detail("registration_method", DynamicClients.METHOD_CIMD).success();
        LOG.debugf("Created client %s from its client ID metadata document", clientId);
        return client;
    }

    static void update(ClientModel client, ClientMetadataDocument.Checked checked) {
        if (checked.validated().clientName() != null) {
            client.setName(checked.validated().clientName());
        }
        client.setRedirectUris(new HashSet<>(checked.validated().redirectUris()));
        DynamicClients.enforce(client);
        dropConnectingSettings(client);
        DynamicClients.recordMetadata(client, checked.validated());
    }

    /** Records the document's fingerprint and when its cache lifetime ends. */
    static void keep(ClientModel client, String fingerprint, long expiresAt) {
        client.setAttribute(EXPIRES, Long.toString(expiresAt));
        client.setAttribute(FINGERPRINT, fingerprint);
    }

    static String fingerprint(JsonNode metadata) {
        StringBuilder sb = new StringBuilder();
        JsonNode redirects = metadata.get("redirect_uris");
        TreeSet<String> sorted = new TreeSet<>();
        if (redirects != null) {
            redirects.forEach(r -> sorted.add(r.asText()));
        }
        sb.append(sorted).append('|').append(metadata.path("jwks")).append('|').append(metadata.path("jwks_uri").asText(""))
                .append('|').append(metadata.path("token_endpoint_auth_method").asText(""));
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
