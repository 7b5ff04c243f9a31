package io.github.mcpauthz.cimd;

import java.io.IOException;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.mcpauthz.core.client.ClientMetadataException;
import io.github.mcpauthz.core.client.DynamicClientMetadata;

/**
 * Validates a fetched client ID metadata document (CIMD draft §4, MCP 2025-11-25 "For Authorization Servers") and
 * turns it into registration metadata the MCP client rules then check like any dynamic registration.
 *
 * <p>Real documents differ: ChatGPT's has no {@code token_endpoint_auth_method} (a public client, {@code none});
 * Claude Desktop's lists the jwt-bearer grant, which MCP clients here may not use and which is therefore ignored
 * rather than fatal. Shared-secret methods and {@code client_secret} are refused (a public document cannot hold a
 * secret).
 */
public final class ClientMetadataDocument {

    private static final Set<String> SHARED_SECRET_METHODS = Set.of("client_secret_basic", "client_secret_post", "client_secret_jwt");

    /** The document as registration metadata, and what the rules made of it. */
    public record Checked(ObjectNode metadata, DynamicClientMetadata.Validated validated) {
    }

    private ClientMetadataDocument() {
    }

    public static Checked check(byte[] body, String clientId, DynamicClientMetadata.Rules rules, ObjectMapper mapper)
            throws ClientMetadataException {
        JsonNode parsed;
        try {
            parsed = mapper.readTree(body);
        } catch (IOException e) {
            throw ClientMetadataException.metadata("the metadata document is not valid JSON");
        }
        if (parsed == null || !parsed.isObject()) {
            throw ClientMetadataException.metadata("the metadata document is not a JSON object");
        }
        ObjectNode doc = ((ObjectNode) parsed).deepCopy();
        JsonNode id = doc.get("client_id");
        if (id == null || !id.isTextual() || !id.asText().equals(clientId)) {
            throw ClientMetadataException.metadata("the metadata document's client_id does not equal its URL " + clientId);
        }
        if (doc.has("client_secret") || doc.has("client_secret_expires_at")) {
            throw ClientMetadataException.metadata("a client ID metadata document must not contain client_secret");
        }
        JsonNode name = doc.get("client_name");
        if (name == null || !name.isTextual() || name.asText().isBlank()) {
            throw ClientMetadataException.metadata("the metadata document has no client_name");
        }
        JsonNode method = doc.get("token_endpoint_auth_method");
        if (method == null || method.isNull()) {
            doc.put("token_endpoint_auth_method", "none");
        } else if (method.isTextual() && SHARED_SECRET_METHODS.contains(method.asText())) {
            throw ClientMetadataException.metadata("token_endpoint_auth_method " + method.asText()
                    + " needs a shared secret, which a client ID metadata document cannot have");
        }
        JsonNode grants = doc.get("grant_types");
        if (grants != null && grants.isArray()) {
            ArrayNode kept = mapper.createArrayNode();
            for (JsonNode grant : grants) {
                if (grant.isTextual() && DynamicClientMetadata.ALLOWED_GRANT_TYPES.contains(grant.asText())) {
                    kept.add(grant.asText());
                }
            }
            if (kept.isEmpty()) {
                throw ClientMetadataException.metadata("the metadata document lists no grant type MCP clients may use "
                        + "(authorization_code, refresh_token)");
            }
            if (!kept.toString().contains("\"authorization_code\"")) {
                kept.insert(0, "authorization_code");
            }
            doc.set("grant_types", kept);
        }
        doc.remove("client_id");
        DynamicClientMetadata.Validated validated = DynamicClientMetadata.validate(doc, rules);
        return new Checked(doc, validated);
    }
}
