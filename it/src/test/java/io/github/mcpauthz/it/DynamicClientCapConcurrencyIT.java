package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.ClientRegistration;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpTestRealm;
import io.github.mcpauthz.it.support.RegistrationEvents;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The cap on dynamic clients is not check-then-act: 50 anonymous registrations sent at once to a realm one below its
 * cap create exactly one client; the other 49 get 403 {@code access_denied}, and leave no client, no success event
 * and one refusal event each. The cap is checked again after the creation, under a database lock held until the
 * commit, and a refusal there rolls the registration back, so this holds across the nodes of a cluster too.
 */
@KeycloakIT
class DynamicClientCapConcurrencyIT {

    private static final int CAP = 3;
    private static final int CONCURRENT = 50;

    private static KeycloakEnvironment keycloak;

    @BeforeAll
    static void keycloak(KeycloakEnvironment environment) {
        keycloak = environment;
    }

    @Test
    void concurrentRegistrationsAtCapMinusOneCreateExactlyOneClient() throws Exception {
        try (McpTestRealm realm = McpTestRealm.create(keycloak, "dcr-cap-race")) {
            realm.anonymousLimits(Map.of("max-dynamic-clients", Integer.toString(CAP), "registrations-per-address", "0"));
            for (int i = 1; i < CAP; i++) {
                realm.registerPublicClient("Before the race " + i);
            }
            assertEquals(CAP - 1, dynamicClients(realm.admin(), realm.name()));
            int clientsBefore = realm.countClients();

            List<HttpResult> results = registerAtOnce(realm);

            List<HttpResult> created = results.stream().filter(r -> r.status() == 201).toList();
            List<HttpResult> denied = results.stream().filter(r -> r.status() == 403).toList();
            assertEquals(1, created.size(), () -> "expected exactly one 201: " + describe(results));
            assertEquals(CONCURRENT - 1, denied.size(), () -> "expected 49 times 403: " + describe(results));
            denied.forEach(r -> ClientRegistration.assertError(r, 403, "access_denied"));
            assertEquals(CAP, dynamicClients(realm.admin(), realm.name()),
                    "the admin API must count exactly the cap of dynamic clients");
            // A refusal leaves nothing behind, also when it came after the client was created (then the whole
            // registration is rolled back): one more client of any kind, one more success event, 49 refusal events.
            assertEquals(clientsBefore + 1, realm.countClients(), "clients of any kind, half-made ones included");
            assertEquals(CAP, realm.admin().events(realm.name(), "CLIENT_REGISTER").size(),
                    "one CLIENT_REGISTER success event per client that exists");
            String reason = denied.get(0).json().path("error_description").asText();
            long refusals = awaitRefusalEvents(realm, reason, CONCURRENT - 1);
            assertEquals(CONCURRENT - 1, refusals, "one CLIENT_REGISTER_ERROR access_denied event per refusal");
        }
    }

    private static List<HttpResult> registerAtOnce(McpTestRealm realm) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT);
        CountDownLatch ready = new CountDownLatch(CONCURRENT);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<HttpResult>> futures = new ArrayList<>();
            for (int i = 0; i < CONCURRENT; i++) {
                String name = "Racer " + i;
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return realm.register(ClientRegistration.sdkMetadata(name, "http://127.0.0.1:33418/callback", null));
                }));
            }
            ready.await();
            go.countDown();
            List<HttpResult> results = new ArrayList<>();
            for (Future<HttpResult> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
    }

    /** The realm's CLIENT_REGISTER_ERROR events for the cap (stored at once, in their own transaction); waits up to 5 s. */
    private static long awaitRefusalEvents(McpTestRealm realm, String reason, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        long found;
        do {
            found = 0;
            for (var event : realm.admin().events(realm.name(), RegistrationEvents.CLIENT_REGISTER_ERROR)) {
                if ("access_denied".equals(event.path("error").asText())
                        && reason.equals(event.path("details").path("reason").asText())) {
                    found++;
                }
            }
            if (found >= expected) {
                return found;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        return found;
    }

    /** Dynamic clients as the extension's admin API lists them. */
    private static int dynamicClients(AdminApi admin, String realm) {
        return AdminApi.expect(admin.dynamicClients(realm), 200).json().size();
    }

    private static String describe(List<HttpResult> results) {
        StringBuilder out = new StringBuilder();
        results.forEach(r -> out.append("\n  HTTP ").append(r.status()).append(' ').append(r.body()));
        return out.toString();
    }
}
