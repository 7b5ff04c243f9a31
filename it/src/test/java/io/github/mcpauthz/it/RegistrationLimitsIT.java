package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.ClientRegistration;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.McpTestRealm;
import io.github.mcpauthz.it.support.RegistrationEvents;
import io.github.mcpauthz.it.support.TokenResponse;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Anonymous registration cannot be used to flood a realm: a realm-wide cap on dynamic clients (admin-made clients do
 * not count; existing clients keep working) answers 403 {@code access_denied}, a per-address rate answers 429
 * {@code temporarily_unavailable} with {@code Retry-After}. Each limit is set through the admin components API on
 * the anonymous {@code mcp-dynamic-client-limits} policy of a realm of its own, so counters do not interfere.
 */
@KeycloakIT
class RegistrationLimitsIT {

    private static KeycloakEnvironment keycloak;

    @BeforeAll
    static void keycloak(KeycloakEnvironment environment) {
        keycloak = environment;
    }

    @Test
    void capOnDynamicClientsCountsOnlyDynamicClients() {
        try (McpTestRealm realm = McpTestRealm.create(keycloak, "dcr-limits-cap")) {
            realm.anonymousLimits(Map.of("max-dynamic-clients", "2", "registrations-per-address", "0"));
            createAdminClient(realm, "admin-made-1");
            createAdminClient(realm, "admin-made-2");

            McpClient first = realm.registerPublicClient("Capped 1");
            realm.registerPublicClient("Capped 2");
            int before = realm.countClients();

            long thirdSent = System.currentTimeMillis();
            HttpResult third = realm.register(ClientRegistration.sdkMetadata("Capped 3", McpClient.loopbackRedirectUri(), null));

            ClientRegistration.assertError(third, 403, "access_denied");
            assertEquals(before, realm.countClients(), () -> "a client was created: " + third.describe());
            RegistrationEvents.awaitError(realm.admin(), realm.name(), thirdSent, "access_denied",
                    third.json().path("error_description").asText());

            createAdminClient(realm, "admin-made-3");
            TokenResponse tokens = first.login(realm.user(), McpTestRealm.SERVER, null);
            assertEquals(200, tokens.status(), "an existing dynamic client keeps working: " + tokens.describe());
            assertEquals(List.of(McpTestRealm.SERVER), tokens.audience());
        }
    }

    @Test
    void registrationsPerAddressAreRateLimited() {
        try (McpTestRealm realm = McpTestRealm.create(keycloak, "dcr-limits-rate")) {
            long window = 600;
            realm.anonymousLimits(Map.of("registrations-per-address", "3", "rate-window-seconds", Long.toString(window)));
            awaitRoomInFixedWindow(window, 20);

            for (int i = 1; i <= 3; i++) {
                HttpResult accepted = realm.register(
                        ClientRegistration.sdkMetadata("Rate " + i, McpClient.loopbackRedirectUri(), null));
                assertEquals(201, accepted.status(), accepted::describe);
            }
            int before = realm.countClients();

            long fourthSent = System.currentTimeMillis();
            HttpResult fourth = realm.register(ClientRegistration.sdkMetadata("Rate 4", McpClient.loopbackRedirectUri(), null));

            ClientRegistration.assertError(fourth, 429, "temporarily_unavailable");
            String retryAfter = fourth.header("Retry-After").orElse(null);
            assertTrue(retryAfter != null && retryAfter.matches("\\d+"), "Retry-After: " + fourth.headers().map());
            long seconds = Long.parseLong(retryAfter);
            assertTrue(seconds >= 1 && seconds <= window, "Retry-After " + seconds + " outside 1.." + window);
            assertEquals(before, realm.countClients(), () -> "a client was created: " + fourth.describe());
            RegistrationEvents.awaitError(realm.admin(), realm.name(), fourthSent, "temporarily_unavailable",
                    fourth.json().path("error_description").asText());

            String token = realm.admin().createInitialAccessToken(realm.name());
            HttpResult withToken = ClientRegistration.register(realm.issuer(), token,
                    ClientRegistration.sdkMetadata("With initial access token", McpClient.loopbackRedirectUri(), null));
            assertEquals(201, withToken.status(), "token-authenticated registration has no per-address rate: "
                    + withToken.describe());
        }
    }

    /** The rate counts in fixed windows of the epoch: start at least {@code margin} seconds before a window ends. */
    private static void awaitRoomInFixedWindow(long window, long margin) {
        long now = System.currentTimeMillis() / 1000;
        long left = window - now % window;
        if (left <= margin) {
            sleep((left + 1) * 1000);
        }
    }

    private static void createAdminClient(McpTestRealm realm, String clientId) {
        Map<String, Object> rep = new LinkedHashMap<>();
        rep.put("clientId", clientId);
        rep.put("publicClient", true);
        rep.put("redirectUris", List.of("http://127.0.0.1/callback"));
        realm.admin().createClient(realm.name(), rep);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
