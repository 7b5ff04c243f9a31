package io.github.mcpauthz.core.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Fields that would make Keycloak connect somewhere, "none" algorithms, invisible names, inline keys. */
class RegistrationFieldsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DynamicClientMetadata.Rules RULES =
            new DynamicClientMetadata.Rules(10, DynamicClientMetadata.DEFAULT_AUTH_METHODS, true);

    private static ObjectNode sdk() throws Exception {
        return (ObjectNode) JSON.readTree("{\"client_name\":\"Agent\",\"redirect_uris\":[\"http://127.0.0.1:3000/cb\"],"
                + "\"token_endpoint_auth_method\":\"none\"}");
    }

    private static ClientMetadataException refused(JsonNode metadata) {
        ClientMetadataException e = assertThrows(ClientMetadataException.class,
                () -> DynamicClientMetadata.validate(metadata, RULES));
        assertEquals(ClientMetadataException.INVALID_CLIENT_METADATA, e.error());
        return e;
    }

    @ParameterizedTest
    @ValueSource(strings = {"request_uris", "sector_identifier_uri", "jwks_uri", "backchannel_logout_uri",
            "backchannel_client_notification_endpoint", "frontchannel_logout_uri", "initiate_login_uri"})
    void fieldsKeycloakWouldFetchOrNavigateToAreRefused(String field) throws Exception {
        ObjectNode metadata = sdk();
        if (field.equals("request_uris")) {
            metadata.putArray(field).add("https://app.example.com/*");
        } else {
            metadata.put(field, "https://app.example.com/x");
        }
        assertEquals(field + " is not accepted for MCP clients"
                + (field.equals("jwks_uri") ? "; send the public keys inline as jwks" : ""), refused(metadata).description());
    }

    @Test
    void pairwiseSubjectsAreRefusedPublicIsFine() throws Exception {
        ObjectNode metadata = sdk();
        metadata.put("subject_type", "public");
        DynamicClientMetadata.validate(metadata, RULES);
        metadata.put("subject_type", "pairwise");
        assertEquals("subject_type must be \"public\"; pairwise identifiers are not offered", refused(metadata).description());
    }

    @ParameterizedTest
    @CsvSource({"id_token_signed_response_alg, none", "id_token_signed_response_alg, NONE",
            "userinfo_signed_response_alg, none", "request_object_signing_alg, none",
            "authorization_signed_response_alg, none", "token_endpoint_auth_signing_alg, none",
            "introspection_signed_response_alg, ' none '"})
    void noneAlgorithmsAreRefused(String field, String value) throws Exception {
        ObjectNode metadata = sdk();
        metadata.put(field, value);
        assertEquals(field + " must name an algorithm; \"none\" is not accepted", refused(metadata).description());
    }

    @Test
    void aRealAlgorithmIsFine() throws Exception {
        ObjectNode metadata = sdk();
        metadata.put("id_token_signed_response_alg", "ES256");
        DynamicClientMetadata.validate(metadata, RULES);
    }

    @Test
    void invisibleClientNamesAreRefused() throws Exception {
        ObjectNode metadata = sdk();
        metadata.put("client_name", "\u200b\u200d\u2060");
        assertEquals("client_name must contain at least one visible character", refused(metadata).description());
    }

    @Test
    void privateKeyJwtNeedsInlineKeysAndInlineKeysNeedPrivateKeyJwt() throws Exception {
        ObjectNode metadata = sdk();
        metadata.put("token_endpoint_auth_method", "private_key_jwt");
        metadata.put("redirect_uris", (String) null);
        metadata.putArray("redirect_uris").add("https://app.example.com/cb");
        assertEquals("private_key_jwt requires the client's public keys inline as jwks", refused(metadata).description());
        metadata.set("jwks", JSON.readTree("{\"keys\":[" + ClientKeysTest.rsaJwk(2048, "sig") + "]}"));
        DynamicClientMetadata.validate(metadata, RULES);
        metadata.put("token_endpoint_auth_method", "none");
        assertEquals("jwks is accepted only with token_endpoint_auth_method private_key_jwt", refused(metadata).description());
    }

    @Test
    void postLogoutRedirectUrisFollowTheRedirectRules() throws Exception {
        ObjectNode metadata = sdk();
        metadata.putArray("post_logout_redirect_uris").add("ms-msdt:/id");
        ClientMetadataException e = assertThrows(ClientMetadataException.class,
                () -> DynamicClientMetadata.validate(metadata, RULES));
        assertEquals(ClientMetadataException.INVALID_REDIRECT_URI, e.error());
    }
}
