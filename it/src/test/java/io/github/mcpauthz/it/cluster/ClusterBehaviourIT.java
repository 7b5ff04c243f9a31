package io.github.mcpauthz.it.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.AuthorizationRequest;
import io.github.mcpauthz.it.support.AuthorizationResponse;
import io.github.mcpauthz.it.support.ClientRegistration;
import io.github.mcpauthz.it.support.ClusterKeycloak;
import io.github.mcpauthz.it.support.ClusterNode;
import io.github.mcpauthz.it.support.ConsentBrowser;
import io.github.mcpauthz.it.support.Http;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.McpTestRealm;
import io.github.mcpauthz.it.support.PostgresServer;
import io.github.mcpauthz.it.support.TokenResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two Keycloak nodes ({@code start --optimized}, PostgreSQL, default clustered caches, jdbc-ping) behind one
 * balancer: what one node does, the other honours on its very next request. "On node N" means the balancer sends
 * every request of that step (admin calls, the browser, the token endpoint) to node N only.
 */
@KeycloakIT
class ClusterBehaviourIT {

    private static final String SERVER_A = "https://cluster-a.example.com/mcp";
    private static final String SERVER_B = "https://cluster-b.example.com/mcp";

    private static ClusterKeycloak cluster;

    @BeforeAll
    static void cluster() {
        cluster = ClusterKeycloak.get();
    }

    @AfterEach
    void balanceAgain() {
        cluster.roundRobin();
    }

    @Test
    void twoNodesFoundEachOtherThroughTheDatabaseAndShareOneIssuer() throws Exception {
        for (int node = 1; node <= 2; node++) {
            cluster.pin(node);
            JsonNode metadata = AdminApi.expect(Http.get(cluster.issuer() + "/.well-known/openid-configuration",
                    null), 200).json();
            assertEquals(cluster.baseUrl() + "/realms/mcp", metadata.path("issuer").asText(), "node " + node);
        }
        // jdbc-ping: each running node has its row in Keycloak's JGROUPS_PING table
        try (Connection db = DriverManager.getConnection(cluster.postgres().jdbcUrl(), PostgresServer.USER, "");
             Statement statement = db.createStatement();
             ResultSet rows = statement.executeQuery("select count(*) from jgroups_ping")) {
            assertTrue(rows.next());
            assertEquals(2, rows.getInt(1), "rows in jgroups_ping");
        }
        for (ClusterNode node : cluster.nodes()) {
            assertTrue(node.logLines().stream().anyMatch(line -> line.contains("(2)") && line.contains("ISPN")),
                    node + " never logged a cluster view of 2 members");
        }
    }

    @Test
    void serverRegisteredChangedOrDeletedOnNode1IsHonouredByNode2OnItsNextRequest() {
        try (McpTestRealm realm = McpTestRealm.create(cluster, "cluster-servers")) {
            McpClient client = realm.registerPublicClient("Cluster servers client");
            AdminApi admin = realm.admin();

            cluster.pin(1);
            HttpResult created = AdminApi.expect(admin.registerServer(realm.name(), SERVER_A, "Cluster A",
                    List.of("a:read"), false), 201);
            String id = created.json().path("id").asText();
            cluster.pin(2);
            TokenResponse first = client.login(realm.user(), SERVER_A, null);
            assertEquals(200, first.status(), first::describe);
            assertEquals(List.of(SERVER_A), first.audience());

            cluster.pin(1);
            Map<String, Object> changed = new LinkedHashMap<>();
            changed.put("resource", SERVER_B);
            changed.put("name", "Cluster B");
            changed.put("scopes", List.of("a:read"));
            HttpResult updated = admin.updateServer(realm.name(), id, changed);
            assertTrue(updated.status() == 200 || updated.status() == 204, updated::describe);
            cluster.pin(2);
            assertInvalidTarget(client, realm, SERVER_A);
            TokenResponse moved = client.login(realm.user(), SERVER_B, null);
            assertEquals(200, moved.status(), moved::describe);
            assertEquals(List.of(SERVER_B), moved.audience());

            cluster.pin(1);
            AdminApi.expect(admin.deleteServer(realm.name(), id), 204);
            cluster.pin(2);
            assertInvalidTarget(client, realm, SERVER_B);
            TokenResponse refreshed = client.refresh(moved.refreshToken(), SERVER_B);
            assertEquals(400, refreshed.status(), refreshed::describe);
            assertEquals("invalid_target", refreshed.error(), refreshed::describe);
        }
    }

    @Test
    void consentGivenOnNode1IsHonouredOnNode2AndRevokingItOnNode2EndsAccessOnNode1() {
        try (McpTestRealm realm = McpTestRealm.create(cluster, "cluster-consent")) {
            cluster.pin(1);
            McpClient client = realm.registerPublicClient("Cluster consent client");
            ConsentBrowser.Outcome given = new ConsentBrowser().authorize(
                    client.authorizationRequest().resource(McpTestRealm.SERVER), realm.user(), ConsentBrowser.Answer.ALLOW);
            assertTrue(given.consentShown(), given::describe);
            assertNotNull(given.response().code(), given::describe);
            TokenResponse onNode1 = client.exchange(given.response(), McpTestRealm.SERVER);
            assertEquals(200, onNode1.status(), onNode1::describe);

            cluster.pin(2);
            ConsentBrowser.Outcome remembered = new ConsentBrowser().authorize(
                    client.authorizationRequest().resource(McpTestRealm.SERVER), realm.user(), ConsentBrowser.Answer.ALLOW);
            assertTrue(remembered.loginShown(), remembered::describe);
            assertFalse(remembered.consentShown(), () -> "node 2 asked again: " + remembered.describe());
            TokenResponse onNode2 = client.exchange(remembered.response(), McpTestRealm.SERVER);
            assertEquals(200, onNode2.status(), onNode2::describe);
            assertEquals(List.of(McpTestRealm.SERVER), onNode2.audience());

            String userId = realm.admin().userId(realm.name(), realm.user().username());
            HttpResult revoked = realm.admin().delete("/admin/realms/" + realm.name() + "/users/" + userId
                    + "/consents/" + Http.encode(client.clientId()));
            assertEquals(204, revoked.status(), revoked::describe);

            cluster.pin(1);
            TokenResponse refresh = client.refresh(onNode1.refreshToken(), McpTestRealm.SERVER);
            assertEquals(400, refresh.status(), refresh::describe);
            assertEquals("invalid_grant", refresh.error(), refresh::describe);
            ConsentBrowser.Outcome again = new ConsentBrowser().authorize(
                    client.authorizationRequest().resource(McpTestRealm.SERVER), realm.user(), ConsentBrowser.Answer.DENY);
            assertTrue(again.consentShown(), () -> "node 1 did not ask again: " + again.describe());
            assertEquals("access_denied", again.response().error(), again::describe);
        }
    }

    @Test
    void refreshTokenIssuedByNode1RefreshesOnNode2WithItsBinding() {
        try (McpTestRealm realm = McpTestRealm.create(cluster, "cluster-refresh")) {
            AdminApi.expect(realm.admin().registerServer(realm.name(), SERVER_A, "Other", List.of(), false), 201);
            cluster.pin(1);
            McpClient client = realm.registerPublicClient("Cluster refresh client");
            TokenResponse issued = client.login(realm.user(), McpTestRealm.SERVER, null);
            assertEquals(200, issued.status(), issued::describe);
            assertEquals(List.of(McpTestRealm.SERVER), issued.audience());

            cluster.pin(2);
            TokenResponse withResource = client.refresh(issued.refreshToken(), McpTestRealm.SERVER);
            assertEquals(200, withResource.status(), withResource::describe);
            assertEquals(List.of(McpTestRealm.SERVER), withResource.audience());
            assertEquals(client.clientId(), withResource.accessTokenClaims().path("azp").asText());
            TokenResponse without = client.refresh(withResource.refreshToken());
            assertEquals(200, without.status(), without::describe);
            assertEquals(List.of(McpTestRealm.SERVER), without.audience(), "refresh without resource keeps aud");
            TokenResponse other = client.refresh(without.refreshToken(), SERVER_A);
            assertEquals(400, other.status(), other::describe);
            assertEquals("invalid_target", other.error(), other::describe);

            cluster.pin(1);
            TokenResponse back = client.refresh(without.refreshToken(), McpTestRealm.SERVER);
            assertEquals(200, back.status(), back::describe);
            assertEquals(List.of(McpTestRealm.SERVER), back.audience());
        }
    }

    @Test
    void perAddressRegistrationLimitCountsAcrossNodes() {
        try (McpTestRealm realm = McpTestRealm.create(cluster, "cluster-rate")) {
            realm.anonymousLimits(Map.of("registrations-per-address", "4", "rate-window-seconds", "600"));
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                cluster.pin(i % 2 + 1);
                HttpResult result = realm.register(ClientRegistration.sdkMetadata("Rate " + i,
                        McpClient.loopbackRedirectUri(), null));
                statuses.add(result.status());
                if (result.status() == 429) {
                    ClientRegistration.assertError(result, 429, "temporarily_unavailable");
                }
            }
            // node 1, 2, 1, 2 use the address's four registrations; the fifth (node 1) and sixth (node 2) are refused
            assertEquals(List.of(201, 201, 201, 201, 429, 429), statuses);
            cluster.roundRobin();
            assertEquals(4, AdminApi.expect(realm.admin().dynamicClients(realm.name()), 200).json().size());
        }
    }

    @Test
    void dynamicClientCapHoldsWhenConcurrentRegistrationsAreSpreadOverBothNodes() throws Exception {
        int cap = 5;
        int concurrent = 50;
        try (McpTestRealm realm = McpTestRealm.create(cluster, "cluster-cap")) {
            realm.anonymousLimits(Map.of("max-dynamic-clients", Integer.toString(cap), "registrations-per-address", "0"));
            cluster.roundRobin();
            int clientsBefore = realm.countClients();
            long[] before = served();
            List<HttpResult> results = registerAtOnce(realm, concurrent);
            long[] after = served();

            assertEquals(cap, results.stream().filter(r -> r.status() == 201).count(), () -> describe(results));
            List<HttpResult> denied = results.stream().filter(r -> r.status() == 403).toList();
            assertEquals(concurrent - cap, denied.size(), () -> describe(results));
            denied.forEach(r -> ClientRegistration.assertError(r, 403, "access_denied"));
            assertEquals(concurrent / 2, after[0] - before[0], "registrations answered by node 1");
            assertEquals(concurrent / 2, after[1] - before[1], "registrations answered by node 2");
            assertEquals(cap, AdminApi.expect(realm.admin().dynamicClients(realm.name()), 200).json().size());
            // Refusals after the creation are rolled back: no other client of any kind, no other success event.
            assertEquals(clientsBefore + cap, realm.countClients(), "clients of any kind, half-made ones included");
            assertEquals(cap, realm.admin().events(realm.name(), "CLIENT_REGISTER").size(),
                    "one CLIENT_REGISTER success event per client that exists");
        }
    }

    /**
     * A server's scopes are made on first use, each in a transaction of its own with an id that is the same on every
     * node: authorization requests of many clients for a new server, at the same moment on both nodes, all reach the
     * login page (a creator that loses the race uses the winner's scope: no error page), the scope exists once, and
     * every client has it.
     */
    @Test
    void firstUseOfANewServerAtOnceOnBothNodesMakesItsScopeOnce() throws Exception {
        int concurrent = 16;
        String resource = "https://cluster-first-use.example.com/mcp";
        try (McpTestRealm realm = McpTestRealm.create(cluster, "cluster-first-use")) {
            realm.withoutAnonymousRateLimit();
            AdminApi.expect(realm.admin().registerServer(realm.name(), resource, "First use", List.of("first:read"),
                    false), 201);
            List<McpClient> clients = new ArrayList<>();
            for (int i = 0; i < concurrent; i++) {
                clients.add(realm.registerPublicClient("First use " + i));
            }
            assertEquals(0, scopesNamed(realm, "first:read"), "no client scope before the first use");
            cluster.roundRobin();
            long[] before = served();

            ExecutorService pool = Executors.newFixedThreadPool(concurrent);
            CountDownLatch ready = new CountDownLatch(concurrent);
            CountDownLatch go = new CountDownLatch(1);
            List<HttpResult> results = new ArrayList<>();
            try {
                List<Future<HttpResult>> futures = new ArrayList<>();
                for (McpClient client : clients) {
                    String uri = client.authorizationRequest().resource(resource).scope("first:read").toUri().toString();
                    futures.add(pool.submit(() -> {
                        ready.countDown();
                        go.await();
                        return Http.get(uri, null);
                    }));
                }
                ready.await();
                go.countDown();
                for (Future<HttpResult> future : futures) {
                    results.add(future.get(5, TimeUnit.MINUTES));
                }
            } finally {
                pool.shutdownNow();
                pool.awaitTermination(1, TimeUnit.MINUTES);
            }
            long[] after = served();

            for (HttpResult result : results) {
                assertEquals(200, result.status(), result::describe);
                assertTrue(result.body().contains("kc-form-login"), result::describe);
            }
            assertEquals(concurrent / 2, after[0] - before[0], "requests answered by node 1");
            assertEquals(concurrent / 2, after[1] - before[1], "requests answered by node 2");
            assertEquals(1, scopesNamed(realm, "first:read"));
            for (McpClient client : clients) {
                String id = realm.admin().clientByClientId(realm.name(), client.clientId()).path("id").asText();
                List<String> optional = new ArrayList<>();
                AdminApi.expect(realm.admin().get("/admin/realms/" + realm.name() + "/clients/" + id
                        + "/optional-client-scopes"), 200).json().forEach(scope -> optional.add(scope.path("name").asText()));
                assertTrue(optional.contains("first:read"), () -> client.clientId() + ": " + optional);
            }
        }
    }

    private static long scopesNamed(McpTestRealm realm, String name) {
        long count = 0;
        for (JsonNode scope : AdminApi.expect(realm.admin().get("/admin/realms/" + realm.name() + "/client-scopes"), 200)
                .json()) {
            if (name.equals(scope.path("name").asText())) {
                count++;
            }
        }
        return count;
    }

    /**
     * The scheduled idle cleanup: both nodes' timers fire every {@value ClusterKeycloak#CLEANUP_INTERVAL_SECONDS} s,
     * and for each interval exactly one node runs it (the other logs that the interval was taken). Also, an idle
     * dynamic client is deleted by the schedule alone, with exactly one CLIENT_DELETE event.
     */
    @Test
    void idleCleanupRunsOncePerIntervalForTheWholeCluster() throws Exception {
        try (McpTestRealm realm = McpTestRealm.create(cluster, "cluster-cleanup")) {
            realm.anonymousLimits(Map.of("idle-lifetime-seconds", "2", "registrations-per-address", "0"));
            McpClient idle = realm.registerPublicClient("Idle in the cluster");
            int[] firstLine = {cluster.node(1).logLines().size(), cluster.node(2).logLines().size()};

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            Map<Long, List<String>> slots = new HashMap<>();
            while (System.nanoTime() < deadline) {
                slots = cleanupSlots(firstLine);
                long bothFired = slots.values().stream().filter(s -> s.size() >= 2).count();
                if (bothFired >= 3 && !realm.admin().clientExists(realm.name(), idle.clientId())) {
                    break;
                }
                Thread.sleep(1000);
            }
            Map<Long, List<String>> seen = slots;
            assertTrue(seen.values().stream().filter(s -> s.size() >= 2).count() >= 3,
                    () -> "both nodes' timers did not fire in the same interval 3 times within 120 s: " + seen);
            for (Map.Entry<Long, List<String>> slot : seen.entrySet()) {
                long ran = slot.getValue().stream().filter(s -> s.endsWith("ran")).count();
                if (slot.getValue().size() >= 2) {
                    assertEquals(1, ran, () -> "interval " + slot.getKey() + ": " + slot.getValue() + " (all: " + seen + ")");
                } else {
                    // Only one node's line is in the window: the first interval can have begun before the window did
                    // (its run logged just before), the last can end after it. Never two runs, though.
                    assertTrue(ran <= 1, () -> "interval " + slot.getKey() + ": " + slot.getValue() + " (all: " + seen + ")");
                }
            }
            assertFalse(realm.admin().clientExists(realm.name(), idle.clientId()), "the idle client still exists");
            long deletions = 0;
            for (JsonNode event : realm.admin().events(realm.name(), "CLIENT_DELETE")) {
                if (idle.clientId().equals(event.path("clientId").asText())) {
                    deletions++;
                }
            }
            assertEquals(1, deletions, "CLIENT_DELETE events of the idle client");
        }
    }

    private static final Pattern SLOT = Pattern.compile("cleanup slot (\\d+): (taken by another node|ran)");

    /** Per interval (slot number) since {@code firstLine}: "node N ran" / "node N taken", from both nodes' logs. */
    private static Map<Long, List<String>> cleanupSlots(int[] firstLine) {
        Map<Long, List<String>> slots = new java.util.TreeMap<>();
        for (int n = 1; n <= 2; n++) {
            List<String> lines = cluster.node(n).logLines();
            for (String line : lines.subList(Math.min(firstLine[n - 1], lines.size()), lines.size())) {
                Matcher matcher = SLOT.matcher(line);
                if (matcher.find()) {
                    slots.computeIfAbsent(Long.parseLong(matcher.group(1)), k -> new ArrayList<>())
                            .add("node " + n + " " + (matcher.group(2).equals("ran") ? "ran" : "taken"));
                }
            }
        }
        return slots;
    }

    private static void assertInvalidTarget(McpClient client, McpTestRealm realm, String resource) {
        AuthorizationRequest request = client.authorizationRequest().resource(resource);
        AuthorizationResponse response = client.authorize(request, realm.user());
        assertEquals("invalid_target", response.error(), response::describe);
    }

    private static long[] served() {
        return new long[] {cluster.node(1).servedCount(), cluster.node(2).servedCount()};
    }

    private static List<HttpResult> registerAtOnce(McpTestRealm realm, int concurrent) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrent);
        CountDownLatch ready = new CountDownLatch(concurrent);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<HttpResult>> futures = new ArrayList<>();
            for (int i = 0; i < concurrent; i++) {
                String name = "Cluster racer " + i;
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

    private static String describe(List<HttpResult> results) {
        StringBuilder out = new StringBuilder();
        results.forEach(r -> out.append("\n  HTTP ").append(r.status()).append(' ').append(r.body()));
        return out.toString();
    }
}
