package io.github.mcpauthz.cimd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.oidc.OIDCClientRepresentation;
import org.keycloak.services.clientregistration.oidc.DescriptionConverter;

class CimdClientsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** Every OIDC registration field whose value Keycloak would later connect to (or push to), with a hostile URL. */
    private static final Map<String, Object> CONNECTING = Map.of(
            "jwks_uri", "https://169.254.169.254/keys",
            "request_uris", List.of("https://10.0.0.1/request"),
            "sector_identifier_uri", "https://10.0.0.1/sector",
            "backchannel_logout_uri", "https://10.0.0.1/logout",
            "frontchannel_logout_uri", "https://10.0.0.1/front",
            "backchannel_client_notification_endpoint", "https://10.0.0.1/ciba",
            "initiate_login_uri", "https://10.0.0.1/login");

    /**
     * What Keycloak's converter makes of a document carrying every connecting field, after the executor's
     * selection: none of them reaches the client representation that is stored.
     */
    @Test
    void noConnectingFieldReachesTheStoredClient() throws Exception {
        ObjectNode document = MAPPER.createObjectNode();
        document.put("client_name", "Tool");
        document.putArray("redirect_uris").add("http://127.0.0.1/callback");
        document.put("token_endpoint_auth_method", "none");
        document.put("logo_uri", "https://tool.example/logo.png");
        CONNECTING.forEach((field, value) -> document.set(field, MAPPER.valueToTree(value)));

        ObjectNode stored = CimdClients.storableMetadata(document);
        CONNECTING.keySet().forEach(field -> assertFalse(stored.has(field), field + " was kept"));

        ClientRepresentation client = DescriptionConverter.toInternal(null,
                MAPPER.treeToValue(stored, OIDCClientRepresentation.class));
        Map<String, String> attributes = client.getAttributes();
        for (String attribute : CimdClients.CONNECTING_ATTRIBUTES) {
            String value = attributes.get(attribute);
            assertTrue(value == null || value.isEmpty(), attribute + " = " + value);
        }
        assertFalse("true".equals(attributes.get("use.jwks.url")));
        assertNull(client.getAdminUrl());
        assertEquals("https://tool.example/logo.png", attributes.get("logoUri"));
        assertEquals(List.of("http://127.0.0.1/callback"), client.getRedirectUris());

        // Without the selection, the same converter stores them: the test would catch a regression.
        ClientRepresentation unfiltered = DescriptionConverter.toInternal(null,
                MAPPER.treeToValue(document, OIDCClientRepresentation.class));
        assertEquals("https://10.0.0.1/logout", unfiltered.getAttributes().get("backchannel.logout.url"));
    }

    @Test
    void keptFieldsAreCopied() {
        ObjectNode document = MAPPER.createObjectNode();
        CimdClients.STORED_FIELDS.forEach(field -> document.put(field, "x"));
        document.put("scope", "openid");
        ObjectNode stored = CimdClients.storableMetadata(document);
        assertEquals(CimdClients.STORED_FIELDS.size(), stored.size());
        assertFalse(stored.has("scope"));
    }
}
