package io.github.mcpauthz.core.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class DynamicClientMetadataTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DynamicClientMetadata.Rules RULES =
            new DynamicClientMetadata.Rules(3, DynamicClientMetadata.DEFAULT_AUTH_METHODS, true);

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s.replace('\'', '"'));
    }

    private static final String SDK = "{'client_name':'MCP Inspector','redirect_uris':['http://localhost:6274/oauth/callback'],"
            + "'grant_types':['authorization_code','refresh_token'],'response_types':['code'],'token_endpoint_auth_method':'none',"
            + "'scope':'mcp:tools'}";

    @Test
    void typeScriptSdkRegistrationIsNativeByInference() throws Exception {
        DynamicClientMetadata.Validated v = DynamicClientMetadata.validate(json(SDK), RULES);
        assertEquals(List.of("http://localhost/oauth/callback"), v.redirectUris());
        assertEquals(ApplicationType.NATIVE, v.applicationType());
        assertTrue(v.applicationTypeInferred());
        assertEquals(Set.of("localhost"), v.redirectHosts());
        assertEquals("none", v.tokenEndpointAuthMethod());
        assertEquals("MCP Inspector", v.clientName());
    }

    @Test
    void keepsWhatKeycloakWouldDrop() throws Exception {
        DynamicClientMetadata.Validated v = DynamicClientMetadata.validate(json(SDK.replace("}",
                ",'software_id':'com.example.agent','software_version':'2.1','resource':['https://mcp.example.com/mcp'],'application_type':'native'}")), RULES);
        assertEquals("com.example.agent", v.softwareId());
        assertEquals("2.1", v.softwareVersion());
        assertEquals(List.of("https://mcp.example.com/mcp"), v.resources());
        assertFalse(v.applicationTypeInferred());
    }

    @Test
    void httpsOnlyClientsDefaultToWebAndAuthMethodDefaultsToBasic() throws Exception {
        DynamicClientMetadata.Validated v = DynamicClientMetadata.validate(json(
                "{'redirect_uris':['https://app.example.com/cb']}"), RULES);
        assertEquals(ApplicationType.WEB, v.applicationType());
        assertEquals("client_secret_basic", v.tokenEndpointAuthMethod());
    }

    private static void assertRejected(String body, String error, String description) throws Exception {
        ClientMetadataException e = assertThrows(ClientMetadataException.class,
                () -> DynamicClientMetadata.validate(json(body), RULES));
        assertEquals(error, e.error());
        assertEquals(description, e.description());
    }

    @Test
    void rejectsWithTheRfc7591Codes() throws Exception {
        assertRejected("{'client_name':'x'}", "invalid_redirect_uri", "redirect_uris is required and must list at least one URI");
        assertRejected("{'redirect_uris':'https://a.example/cb'}", "invalid_redirect_uri", "redirect_uris must be an array of strings");
        assertRejected("{'redirect_uris':['https://a/1','https://a/2','https://a/3','https://a/4']}", "invalid_redirect_uri",
                "at most 3 redirect_uris may be registered");
        assertRejected("{'redirect_uris':['http://127.0.0.1:1/cb'],'application_type':'web'}", "invalid_redirect_uri",
                "application_type \"web\" may only use https redirect URIs; register as \"native\" for loopback or private-use redirect URIs: http://127.0.0.1:1/cb");
        assertRejected("{'redirect_uris':['https://a.example/cb'],'application_type':'desktop'}", "invalid_client_metadata",
                "application_type must be \"native\" or \"web\"");
        assertRejected("{'redirect_uris':['https://a.example/cb'],'grant_types':['authorization_code','client_credentials']}",
                "invalid_client_metadata", "grant type \"client_credentials\" is not allowed for MCP clients; allowed: authorization_code, refresh_token");
        assertRejected("{'redirect_uris':['https://a.example/cb'],'grant_types':['refresh_token']}",
                "invalid_client_metadata", "grant_types must include authorization_code");
        assertRejected("{'redirect_uris':['https://a.example/cb'],'response_types':['code','token']}",
                "invalid_client_metadata", "response type \"token\" is not allowed for MCP clients; allowed: code");
        assertRejected("{'redirect_uris':['https://a.example/cb'],'token_endpoint_auth_method':'private_key_jwt'}",
                "invalid_client_metadata", "private_key_jwt requires the client's public keys inline as jwks");
        assertRejected("{'redirect_uris':['https://a.example/cb'],'client_secret':'chosen'}",
                "invalid_client_metadata", "client_secret must not be sent; the server issues it");
        assertRejected("{'redirect_uris':['https://a.example/cb'],'logo_uri':'http://a.example/logo.png'}",
                "invalid_client_metadata", "logo_uri must be an https URL with a host and no user information");
        assertRejected("{'redirect_uris':['https://a.example/cb'],'client_name':'a\\u0000b'}",
                "invalid_client_metadata", "client_name must not contain control or bidirectional formatting characters");
        assertRejected("{'redirect_uris':['https://a.example/cb'],'client_name':'evil\\u202egnp.exe'}",
                "invalid_client_metadata", "client_name must not contain control or bidirectional formatting characters");
        assertRejected("{'redirect_uris':['https://a.example/cb'],'client_name':'" + "n".repeat(201) + "'}",
                "invalid_client_metadata", "client_name is longer than 200 characters");
        assertRejected("{'redirect_uris':['https://a.example/cb'],'scope':'ok bad\\\"scope'}",
                "invalid_client_metadata", "scope contains an invalid scope name: bad\"scope");
        assertRejected("{'redirect_uris':['https://a.example/cb'],'scope':'mcp:tools mcp-server:0b6e'}",
                "invalid_client_metadata", "scope must not name an MCP server grant scope (mcp-server:...): consent "
                        + "to a server is asked for per authorization");
        assertRejected("{'redirect_uris':['https://a.example/cb'],'client_name':42}",
                "invalid_client_metadata", "client_name must be a string");
    }

    @Test
    void authMethodsAreConfigurable() throws Exception {
        DynamicClientMetadata.Rules publicOnly = new DynamicClientMetadata.Rules(10, List.of("none"), true);
        ClientMetadataException e = assertThrows(ClientMetadataException.class, () -> DynamicClientMetadata.validate(
                json("{'redirect_uris':['https://a.example/cb'],'token_endpoint_auth_method':'client_secret_post'}"), publicOnly));
        assertEquals("token_endpoint_auth_method \"client_secret_post\" is not allowed; allowed: none", e.description());
    }

    @Test
    void duplicateLoopbackPortsCollapse() throws Exception {
        DynamicClientMetadata.Validated v = DynamicClientMetadata.validate(json(
                "{'redirect_uris':['http://127.0.0.1:1000/cb','http://127.0.0.1:2000/cb'],'token_endpoint_auth_method':'none'}"), RULES);
        assertEquals(List.of("http://127.0.0.1/cb"), v.redirectUris());
    }
}
