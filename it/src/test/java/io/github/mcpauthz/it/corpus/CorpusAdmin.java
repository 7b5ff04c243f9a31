package io.github.mcpauthz.it.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.Http;
import io.github.mcpauthz.it.support.KeycloakEnvironment;

import java.util.Optional;

/**
 * The few admin REST calls the corpus makes per case (count, find, delete clients), with the admin token reused for
 * 20 s: {@link AdminApi} asks for a fresh token per call (a password grant), which would dominate the run time.
 */
public final class CorpusAdmin {

    private static final long TOKEN_REUSE_NANOS = 20_000_000_000L;

    private final KeycloakEnvironment keycloak;
    private String token;
    private long tokenTime;

    public CorpusAdmin(KeycloakEnvironment keycloak) {
        this.keycloak = keycloak;
    }

    private synchronized String token() {
        if (token == null || System.nanoTime() - tokenTime > TOKEN_REUSE_NANOS) {
            token = keycloak.adminToken();
            tokenTime = System.nanoTime();
        }
        return token;
    }

    public int countClients(String realm) {
        return AdminApi.expect(Http.get(keycloak.baseUrl() + "/admin/realms/" + realm + "/clients?max=10000"
                + "&briefRepresentation=true", token()), 200).json().size();
    }

    /** The full representation of the client {@code clientId}, if there is one. */
    public Optional<JsonNode> client(String realm, String clientId) {
        JsonNode found = AdminApi.expect(Http.get(keycloak.baseUrl() + "/admin/realms/" + realm + "/clients?clientId="
                + Http.encode(clientId), token()), 200).json();
        for (JsonNode client : found) {
            if (clientId.equals(client.path("clientId").asText())) {
                return Optional.of(client);
            }
        }
        return Optional.empty();
    }

    /** Deletes the client {@code clientId} if it exists. */
    public void deleteClient(String realm, String clientId) {
        client(realm, clientId).ifPresent(client -> Http.delete(keycloak.baseUrl() + "/admin/realms/" + realm
                + "/clients/" + client.path("id").asText(), token()));
    }
}
