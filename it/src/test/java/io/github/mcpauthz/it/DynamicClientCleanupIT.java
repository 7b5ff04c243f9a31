package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.McpTestRealm;
import io.github.mcpauthz.it.support.TokenResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dynamic clients nobody uses any more are deleted after the realm's idle lifetime, with their consents; a client in
 * use is kept (issuing it a token renews it), and admin-made clients are never touched. Runs the cleanup on demand
 * ({@code POST .../mcp-authz/dynamic-clients/cleanup}) in a realm of its own with an idle lifetime of
 * {@value #IDLE} seconds.
 */
@KeycloakIT
class DynamicClientCleanupIT {

    static final long IDLE = 10;

    @Test
    void idleDynamicClientIsDeletedWithItsConsentWhileUsedAndAdminMadeClientsStay(KeycloakEnvironment keycloak) {
        try (McpTestRealm realm = McpTestRealm.create(keycloak, "dcr-cleanup")) {
            AdminApi admin = realm.admin();
            realm.anonymousLimits(Map.of("idle-lifetime-seconds", Long.toString(IDLE), "registrations-per-address", "0"));
            String userId = admin.userId(realm.name(), realm.user().username());

            McpClient idle = realm.registerPublicClient("Idle A");
            assertEquals(200, idle.login(realm.user(), McpTestRealm.SERVER, null).status());
            McpClient busy = realm.registerPublicClient("Busy B");
            TokenResponse busyTokens = busy.login(realm.user(), McpTestRealm.SERVER, null);
            assertEquals(200, busyTokens.status(), busyTokens::describe);
            String adminMade = "admin-made-" + System.nanoTime();
            Map<String, Object> rep = new LinkedHashMap<>();
            rep.put("clientId", adminMade);
            rep.put("publicClient", true);
            rep.put("redirectUris", List.of("http://127.0.0.1/callback"));
            admin.createClient(realm.name(), rep);
            assertTrue(consentedClients(admin, realm, userId).containsAll(List.of(idle.clientId(), busy.clientId())),
                    "both dynamic clients have consent: " + consentedClients(admin, realm, userId));

            long idleLastUsed = lastUsed(admin, realm, idle);
            awaitEpochSecond(idleLastUsed + 6);
            TokenResponse refreshed = busy.refresh(busyTokens.refreshToken(), McpTestRealm.SERVER);
            assertEquals(200, refreshed.status(), refreshed::describe);
            long busyLastUsed = lastUsed(admin, realm, busy);
            assertTrue(busyLastUsed >= idleLastUsed + 5, "issuing a token must renew the client: last used "
                    + busyLastUsed + ", registered around " + idleLastUsed);

            awaitEpochSecond(idleLastUsed + IDLE + 2);
            long now = System.currentTimeMillis() / 1000;
            assertTrue(now - busyLastUsed < IDLE - 1, "test too slow: B idle for " + (now - busyLastUsed) + " s");
            HttpResult cleanup = admin.cleanupDynamicClients(realm.name());

            assertEquals(200, cleanup.status(), cleanup::describe);
            assertEquals(List.of(idle.clientId()), strings(cleanup.json().path("deleted")), cleanup::describe);
            assertEquals(IDLE, cleanup.json().path("idleLifetimeSeconds").asLong(), cleanup::describe);
            assertFalse(admin.clientExists(realm.name(), idle.clientId()), "idle client A still exists");
            assertTrue(admin.clientExists(realm.name(), busy.clientId()), "client B in use was deleted");
            assertTrue(admin.clientExists(realm.name(), adminMade), "admin-made client C was deleted");
            List<String> consents = consentedClients(admin, realm, userId);
            assertFalse(consents.contains(idle.clientId()), "consent to the deleted client remains: " + consents);
            assertTrue(consents.contains(busy.clientId()), "consent to B lost: " + consents);

            List<String> deletions = new ArrayList<>();
            admin.events(realm.name(), "CLIENT_DELETE").forEach(event -> deletions.add(event.path("clientId").asText()
                    + " " + event.path("details").path("reason").asText()));
            assertTrue(deletions.contains(idle.clientId() + " mcp_dynamic_client_idle"),
                    "CLIENT_DELETE event with reason mcp_dynamic_client_idle for A: " + deletions);

            HttpResult again = admin.cleanupDynamicClients(realm.name());
            assertEquals(List.of(), strings(again.json().path("deleted")), again::describe);
        }
    }

    private static long lastUsed(AdminApi admin, McpTestRealm realm, McpClient client) {
        JsonNode attributes = admin.clientByClientId(realm.name(), client.clientId()).path("attributes");
        String value = attributes.path("mcp.last.used").asText(attributes.path("mcp.registration.time").asText());
        assertFalse(value.isBlank(), "no mcp.last.used or mcp.registration.time: " + attributes);
        return Long.parseLong(value);
    }

    /** Sleeps until the wall clock (which Keycloak on this machine shares) reaches {@code epochSecond}. */
    private static void awaitEpochSecond(long epochSecond) {
        long millis = epochSecond * 1000 - System.currentTimeMillis();
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static List<String> consentedClients(AdminApi admin, McpTestRealm realm, String userId) {
        List<String> ids = new ArrayList<>();
        admin.userConsents(realm.name(), userId).forEach(consent -> ids.add(consent.path("clientId").asText()));
        return ids;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
