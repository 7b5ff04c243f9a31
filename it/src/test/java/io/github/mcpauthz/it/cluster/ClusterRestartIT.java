package io.github.mcpauthz.it.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.ClientAuthentication;
import io.github.mcpauthz.it.support.ClusterKeycloak;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.McpTestRealm;
import io.github.mcpauthz.it.support.TokenResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crashes and restarts: node 2 is killed with SIGKILL while MCP clients register and authorize, then started again;
 * then the whole cluster is stopped and started. Every dynamic client, consent, server and offline token made before
 * is still there and works; a registration the crash interrupted left either a complete client or nothing.
 */
@KeycloakIT
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterRestartIT {

    private static final String SECOND_SERVER = "https://cluster-restart.example.com/mcp";
    private static final int WORKERS = 8;

    private static ClusterKeycloak cluster;
    private static McpTestRealm realm;
    /** Rounds that completed (client, consent, refresh token), before and during the crash. */
    private static final List<SimulatedMcpClient.Round> completed = new ArrayList<>();
    private static final Set<String> created = new HashSet<>();
    private static String offlineToken;
    private static McpClient offlineClient;
    private static JsonNode serversBefore;

    @BeforeAll
    static void realmWithClientsConsentsAndAnOfflineToken() {
        cluster = ClusterKeycloak.get();
        cluster.roundRobin();
        realm = McpTestRealm.create(cluster, "cluster-restart");
        realm.anonymousLimits(Map.of("registrations-per-address", "0", "max-dynamic-clients", "0"));
        AdminApi.expect(realm.admin().registerServer(realm.name(), SECOND_SERVER, "Restart", List.of(), false), 201);
        serversBefore = AdminApi.expect(realm.admin().listServers(realm.name()), 200).json();
        SimulatedMcpClient.Tally tally = new SimulatedMcpClient.Tally();
        for (int i = 0; i < 6; i++) {
            SimulatedMcpClient.Round round = SimulatedMcpClient.run(realm, i % 2 == 0 ? McpTestRealm.SERVER
                    : SECOND_SERVER, "Before " + i, tally);
            completed.add(round);
            created.add(round.clientId());
        }
        offlineClient = realm.registerPublicClient("Offline client");
        created.add(offlineClient.clientId());
        TokenResponse offline = offlineClient.login(realm.user(), McpTestRealm.SERVER, "offline_access");
        assertEquals(200, offline.status(), offline::describe);
        assertEquals("Offline", io.github.mcpauthz.it.support.Jwt.claim(offline.refreshToken(), "typ"),
                "an offline token");
        offlineToken = offline.refreshToken();
    }

    @AfterEach
    void balanceAgain() {
        cluster.roundRobin();
    }

    @AfterAll
    static void deleteRealm() {
        McpTestRealm.close(realm);
    }

    @Test
    @Order(1)
    void sigkillOfANodeWhileClientsRegisterAndAuthorizeLosesNothing() throws Exception {
        ConcurrentLinkedQueue<SimulatedMcpClient.Round> rounds = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> interruptedNames = new ConcurrentLinkedQueue<>();
        SimulatedMcpClient.Tally tally = new SimulatedMcpClient.Tally();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        for (int w = 0; w < WORKERS; w++) {
            int worker = w;
            pool.submit(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String name = "Crash " + worker + "." + i;
                    try {
                        rounds.add(SimulatedMcpClient.run(realm, McpTestRealm.SERVER, name, tally));
                    } catch (SimulatedMcpClient.StepFailure e) {
                        if (e.step == SimulatedMcpClient.Step.REGISTER) {
                            interruptedNames.add(name);
                        }
                        tally.fail(e);
                    } catch (RuntimeException e) {
                        // connection lost mid-step: which step is unknown, so check the name like an interrupted one
                        interruptedNames.add(name);
                        tally.fail(e);
                    }
                }
            });
        }
        long started = tally.rounds.get();
        awaitRounds(tally, started + 2 * WORKERS, 300);
        cluster.node(2).kill();
        long atKill = tally.rounds.get();
        awaitRounds(tally, atKill + 2 * WORKERS, 300); // node 1 alone carries on
        stop.set(true);
        pool.shutdown();
        assertTrue(pool.awaitTermination(5, TimeUnit.MINUTES), "workers did not stop");
        cluster.restart(2);

        System.out.printf("[crash] rounds completed %d (%d before the kill), failed %d: %s%n", rounds.size(),
                atKill - started, tally.failures.get(), tally.failureSamples);
        assertEquals(0, tally.wrongAudience.get(), "tokens with a wrong aud");
        assertEquals(0, tally.lostConsents.get(), "consents asked again");
        rounds.forEach(round -> {
            completed.add(round);
            created.add(round.clientId());
        });

        // Interrupted registrations: the client exists completely (locked-down dynamic client) or not at all.
        Map<String, List<JsonNode>> byName = clientsByName();
        int interruptedThatExist = 0;
        for (String name : new HashSet<>(interruptedNames)) {
            List<JsonNode> found = byName.getOrDefault(name, List.of());
            assertTrue(found.size() <= 1, "registration " + name + " made " + found.size() + " clients");
            if (found.size() == 1) {
                assertComplete(found.get(0));
                created.add(found.get(0).path("clientId").asText());
                interruptedThatExist++;
            }
        }
        // Exactly the clients made by completed rounds, registrations that answered 201, and complete interrupted ones.
        Set<String> dynamic = dynamicClientIds();
        Set<String> expected = new HashSet<>(created);
        for (List<JsonNode> clients : byName.values()) {
            for (JsonNode client : clients) {
                String name = client.path("name").asText();
                if (name.startsWith("Crash ") && !interruptedNames.contains(name)) {
                    expected.add(client.path("clientId").asText()); // answered 201, failed at a later step
                    assertComplete(client);
                }
            }
        }
        System.out.printf("[crash] interrupted registrations %d, of which exist %d; dynamic clients %d%n",
                new HashSet<>(interruptedNames).size(), interruptedThatExist, dynamic.size());
        assertEquals(expected, dynamic, "dynamic clients after the crash");
        assertEverythingWorksOnBothNodes("after SIGKILL and restart of node 2");
    }

    @Test
    @Order(2)
    void stoppingAndStartingTheWholeClusterLosesNothing() {
        Set<String> before = dynamicClientIds();
        cluster.node(2).stop();
        cluster.node(1).stop();
        cluster.node(1).start(cluster);
        cluster.restart(2);
        assertEquals(before, dynamicClientIds(), "dynamic clients after the full restart");
        assertEverythingWorksOnBothNodes("after stopping and starting the whole cluster");
    }

    /** Servers, clients, consents, refresh tokens of every completed round and the offline token, on each node. */
    private static void assertEverythingWorksOnBothNodes(String when) {
        assertEquals(serversBefore, AdminApi.expect(realm.admin().listServers(realm.name()), 200).json(),
                "servers " + when);
        String userId = realm.admin().userId(realm.name(), realm.user().username());
        Set<String> consented = new HashSet<>();
        for (JsonNode consent : realm.admin().userConsents(realm.name(), userId)) {
            consented.add(consent.path("clientId").asText());
        }
        Set<String> dynamic = dynamicClientIds();
        List<String> missingClients = new ArrayList<>();
        List<String> missingConsents = new ArrayList<>();
        for (SimulatedMcpClient.Round round : completed) {
            if (!dynamic.contains(round.clientId())) {
                missingClients.add(round.clientId());
            }
            if (!consented.contains(round.clientId())) {
                missingConsents.add(round.clientId());
            }
        }
        assertEquals(List.of(), missingClients, "clients of completed rounds missing " + when);
        assertEquals(List.of(), missingConsents, "consents of completed rounds missing " + when);

        int refreshed = 0;
        for (int i = 0; i < completed.size(); i++) {
            SimulatedMcpClient.Round round = completed.get(i);
            cluster.pin(i % 2 + 1);
            McpClient client = McpClient.of(realm.issuer(), round.clientId(), "http://127.0.0.1/unused",
                    ClientAuthentication.none());
            TokenResponse response = client.refresh(round.refreshToken());
            assertEquals(200, response.status(), () -> when + ", node " + cluster + ": " + response.describe());
            assertEquals(1, response.audience().size(), response::describe);
            completed.set(i, new SimulatedMcpClient.Round(round.clientId(), response.refreshToken(), true));
            refreshed++;
        }
        for (int node = 1; node <= 2; node++) {
            cluster.pin(node);
            // With resource, as an MCP client refreshes: the offline token keeps its server on every node.
            TokenResponse offline = offlineClient.refresh(offlineToken, McpTestRealm.SERVER);
            assertEquals(200, offline.status(), offline::describe);
            assertEquals("Offline", io.github.mcpauthz.it.support.Jwt.claim(offline.refreshToken(), "typ"));
            assertEquals(java.util.List.of(McpTestRealm.SERVER), offline.audience(), offline::describe);
            System.out.printf("[crash] offline token refreshed on node %d, aud %s%n", node, offline.audience());
            offlineToken = offline.refreshToken();
        }
        cluster.roundRobin();
        System.out.printf("[crash] %s: %d servers, %d dynamic clients, %d consents, %d refresh tokens and the offline "
                + "token refreshed%n", when, serversBefore.size(), dynamic.size(), consented.size(), refreshed);
        assertEquals(completed.size(), refreshed);
    }

    /** A client as the MCP registration policy leaves it: public, consent required, PKCE S256, dynamic marker. */
    private static void assertComplete(JsonNode client) {
        String id = client.path("clientId").asText();
        assertTrue(client.path("publicClient").asBoolean(), id + " public");
        assertTrue(client.path("consentRequired").asBoolean(), id + " consent required: " + client);
        assertEquals("S256", client.path("attributes").path("pkce.code.challenge.method").asText(), id + ": " + client);
        assertTrue(client.path("attributes").has("mcp.registration.time"), id + " registration time: " + client);
        assertEquals(1, client.path("redirectUris").size(), id + " redirect URIs: " + client);
    }

    private static Set<String> dynamicClientIds() {
        Set<String> ids = new HashSet<>();
        for (JsonNode client : AdminApi.expect(realm.admin().dynamicClients(realm.name()), 200).json()) {
            ids.add(client.path("clientId").asText());
        }
        return ids;
    }

    private static Map<String, List<JsonNode>> clientsByName() {
        Map<String, List<JsonNode>> byName = new HashMap<>();
        HttpResult all = AdminApi.expect(realm.admin().get("/admin/realms/" + realm.name() + "/clients?max=100000"), 200);
        for (JsonNode client : all.json()) {
            byName.computeIfAbsent(client.path("name").asText(), k -> new ArrayList<>()).add(client);
        }
        return byName;
    }

    private static void awaitRounds(SimulatedMcpClient.Tally tally, long rounds, int timeoutSeconds)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (tally.rounds.get() < rounds && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(tally.rounds.get() >= rounds, "only " + tally.rounds.get() + " of " + rounds + " rounds within "
                + timeoutSeconds + " s: " + tally.failureSamples);
    }
}
