package io.github.mcpauthz.cimd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.mcpauthz.core.client.ApplicationType;
import io.github.mcpauthz.core.client.ClientMetadataException;
import io.github.mcpauthz.core.client.DynamicClientMetadata;
import org.junit.jupiter.api.Test;

class ClientMetadataDocumentTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DynamicClientMetadata.Rules RULES =
            new DynamicClientMetadata.Rules(10, DynamicClientMetadata.DEFAULT_AUTH_METHODS, true);
    private static final String ID = "https://vscode.dev/oauth/client-metadata.json";

    private static ClientMetadataDocument.Checked check(String json) throws ClientMetadataException {
        return ClientMetadataDocument.check(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8), ID, RULES, JSON);
    }

    @Test
    void vsCodeLikeDocument() throws Exception {
        ClientMetadataDocument.Checked c = check("{'client_id':'" + ID + "','client_name':'Visual Studio Code',"
                + "'redirect_uris':['http://127.0.0.1/','https://vscode.dev/redirect'],'grant_types':['authorization_code','refresh_token'],"
                + "'response_types':['code'],'token_endpoint_auth_method':'none','application_type':'native'}");
        assertEquals(List.of("http://127.0.0.1/", "https://vscode.dev/redirect"), c.validated().redirectUris());
        assertEquals(ApplicationType.NATIVE, c.validated().applicationType());
    }

    @Test
    void noAuthMethodMeansPublicClient() throws Exception {
        ClientMetadataDocument.Checked c = check("{'client_id':'" + ID + "','client_name':'ChatGPT','redirect_uris':['https://chatgpt.com/connector_platform_oauth_redirect']}");
        assertEquals("none", c.validated().tokenEndpointAuthMethod());
    }

    @Test
    void unusableGrantTypesAreIgnored() throws Exception {
        ClientMetadataDocument.Checked c = check("{'client_id':'" + ID + "','client_name':'Claude','redirect_uris':['https://claude.ai/api/mcp/auth_callback'],"
                + "'grant_types':['authorization_code','refresh_token','urn:ietf:params:oauth:grant-type:jwt-bearer'],'token_endpoint_auth_method':'none'}");
        assertEquals("[\"authorization_code\",\"refresh_token\"]", c.metadata().get("grant_types").toString());
    }

    private static void rejected(String json, String description) {
        ClientMetadataException e = assertThrows(ClientMetadataException.class, () -> check(json));
        assertEquals(description, e.description());
    }

    @Test
    void refusals() {
        rejected("not json", "the metadata document is not valid JSON");
        rejected("[1]", "the metadata document is not a JSON object");
        rejected("{'client_id':'https://other.example/c.json','client_name':'x','redirect_uris':['https://a.example/cb']}",
                "the metadata document's client_id does not equal its URL " + ID);
        rejected("{'client_id':'" + ID + "/','client_name':'x','redirect_uris':['https://a.example/cb']}",
                "the metadata document's client_id does not equal its URL " + ID);
        rejected("{'client_id':'" + ID + "','client_name':'x','redirect_uris':['https://a.example/cb'],'token_endpoint_auth_method':'client_secret_basic'}",
                "token_endpoint_auth_method client_secret_basic needs a shared secret, which a client ID metadata document cannot have");
        rejected("{'client_id':'" + ID + "','client_name':'x','redirect_uris':['https://a.example/cb'],'client_secret':'s'}",
                "a client ID metadata document must not contain client_secret");
        rejected("{'client_id':'" + ID + "','redirect_uris':['https://a.example/cb']}", "the metadata document has no client_name");
        rejected("{'client_id':'" + ID + "','client_name':'x','redirect_uris':['https://a.example/cb'],'grant_types':['client_credentials']}",
                "the metadata document lists no grant type MCP clients may use (authorization_code, refresh_token)");
        rejected("{'client_id':'" + ID + "','client_name':'x','redirect_uris':['http://evil.example/cb']}",
                "http redirect URIs are allowed only on loopback hosts (127.0.0.1, [::1], localhost): http://evil.example/cb");
    }
}
