package io.github.mcpauthz.setup;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.ServerAccess;
import io.github.mcpauthz.core.client.DynamicClients;
import org.keycloak.models.ClientModel;

/**
 * The JSON of the admin REST API ({@code /admin/realms/{realm}/mcp-authz}), as representation classes that Keycloak's
 * own JSON mapper writes (null fields are left out). Errors use Keycloak's {@code OAuth2ErrorRepresentation}.
 */
public final class McpRepresentations {

    private McpRepresentations() {
    }

    /** {@code GET mcp-authz}: the realm's MCP status. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Status(String realm, boolean enabled, String inactive, String issuer, List<Server> servers) {
    }

    /** One registered MCP server. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Server(String id, String resource, String name, List<String> scopes,
                         @JsonProperty("default") boolean defaultForRealm, String clientId,
                         List<String> exchangeAudiences, List<String> machineClients, List<String> access,
                         String tokenRoles, String rolesClientId) {

        static Server of(McpServer server) {
            return new Server(server.id(), server.resource().uri(), server.name(), server.scopes(),
                    server.defaultForRealm(), server.clientId(), server.exchangeAudiences(), server.machineClients(),
                    server.access().rule().stream().map(ServerAccess.Entry::text).toList(),
                    server.access().tokenRoles().value(), server.access().rolesClientId());
        }
    }

    /** A dynamically registered client with its provenance attributes (under their attribute names). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static final class DynamicClient {

        static final List<String> PROVENANCE = List.of(DynamicClients.METHOD, DynamicClients.REGISTERED_AT,
                DynamicClients.REGISTERED_FROM, DynamicClients.SOFTWARE_ID, DynamicClients.SOFTWARE_VERSION,
                DynamicClients.REDIRECT_HOSTS, DynamicClients.APPLICATION_TYPE, DynamicClients.REQUESTED_RESOURCES,
                DynamicClients.LAST_USED);

        public final String clientId;
        public final String name;
        public final Set<String> redirectUris;
        public final boolean publicClient;
        private final Map<String, String> provenance = new LinkedHashMap<>();

        DynamicClient(ClientModel client) {
            clientId = client.getClientId();
            name = client.getName();
            redirectUris = client.getRedirectUris();
            publicClient = client.isPublicClient();
            for (String attribute : PROVENANCE) {
                String value = client.getAttribute(attribute);
                if (value != null) {
                    provenance.put(attribute, value);
                }
            }
        }

        @JsonAnyGetter
        public Map<String, String> provenance() {
            return provenance;
        }
    }

    /** {@code POST mcp-authz/dynamic-clients/cleanup}: what was deleted. */
    public record Cleanup(List<String> deleted, long idleLifetimeSeconds) {
    }
}
