package io.github.mcpauthz.it.cluster;

import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.ClusterKeycloak;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpTestRealm;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cluster.load.clients} (50) simulated MCP clients for {@code cluster.load.seconds} (120) against both nodes
 * (round-robin per request), each looping registration, consent, code, token and refresh with {@code resource}, and a
 * second authorization that must find the consent, in a realm with the default dynamic-client cap on. Every round
 * registers a client, so the rounds are bounded too: together the clients register fewer than the cap (each at most
 * {@code (cap - 1) / clients} rounds; a fast machine finishes them before the time is up, a slow one stops at the time).
 * Prints counts and latency percentiles; fails on any HTTP 5xx, any token whose {@code aud} is not exactly the server,
 * any consent asked again, any other wrong step.
 */
@KeycloakIT
class ClusterLoadIT {

    /** RegistrationSettings.DEFAULT_MAX_DYNAMIC_CLIENTS, the cap of a realm whose policy does not set one. */
    private static final int DEFAULT_CAP = 1000;

    @Test
    void fiftyMcpClientsForTwoMinutesAgainstBothNodes() throws Exception {
        ClusterKeycloak cluster = ClusterKeycloak.get();
        int clients = Integer.getInteger("cluster.load.clients", 50);
        Duration duration = Duration.ofSeconds(Long.getLong("cluster.load.seconds", 120));
        cluster.roundRobin();
        try (McpTestRealm realm = McpTestRealm.create(cluster, "cluster-load")) {
            // The realm's default cap (max-dynamic-clients 1000) stays on: each registration takes the cap's lock,
            // cluster-wide, for its count and commit only. No per-address rate: all clients share one address.
            realm.anonymousLimits(Map.of("registrations-per-address", "0"));
            int cap = realm.admin().registrationPolicy(realm.name(), McpTestRealm.LIMITS_POLICY, McpTestRealm.ANONYMOUS)
                    .path("config").path("max-dynamic-clients").path(0).asInt(DEFAULT_CAP);
            assertTrue(cap > clients, "the load runs with the dynamic-client cap on, above the number of clients");
            int roundsPerClient = (cap - 1) / clients;
            SimulatedMcpClient.Tally tally = new SimulatedMcpClient.Tally();
            long errorsBefore = cluster.balancer().serverErrorCount();
            long badGatewayBefore = cluster.balancer().badGatewayCount();
            long[] servedBefore = {cluster.node(1).servedCount(), cluster.node(2).servedCount()};
            long answeredBefore = cluster.balancer().answeredCount();
            long begin = System.nanoTime();
            long end = begin + duration.toNanos();

            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<?>> workers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int number = c;
                workers.add(pool.submit(() -> {
                    int round = 0;
                    while (round < roundsPerClient && System.nanoTime() < end) {
                        try {
                            SimulatedMcpClient.run(realm, McpTestRealm.SERVER, "Load " + number + "." + round++, tally);
                        } catch (RuntimeException e) {
                            tally.fail(e);
                        }
                    }
                }));
            }
            pool.shutdown();
            if (!pool.awaitTermination(duration.toSeconds() + 300, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
            for (Future<?> worker : workers) {
                worker.get(1, TimeUnit.SECONDS);
            }
            double seconds = (System.nanoTime() - begin) / 1e9;
            long serverErrors = cluster.balancer().serverErrorCount() - errorsBefore;
            long badGateway = cluster.balancer().badGatewayCount() - badGatewayBefore;
            long requests = cluster.balancer().answeredCount() - answeredBefore;
            long registered = AdminApi.expect(realm.admin().dynamicClients(realm.name()), 200).json().size();

            System.out.printf("%n[load] %d MCP clients for %.0f s (at most %d rounds each) against %s, dynamic-client "
                    + "cap %d%n", clients, seconds, roundsPerClient, cluster, cap);
            System.out.printf("[load] rounds completed %d, failed rounds %d, HTTP requests %d (%.0f/s; node 1 %d, "
                            + "node 2 %d), HTTP 5xx %d, balancer 502 %d, wrong aud %d, lost consents %d, dynamic "
                            + "clients %d%n", tally.rounds.get(), tally.failures.get(), requests, requests / seconds,
                    cluster.node(1).servedCount() - servedBefore[0], cluster.node(2).servedCount() - servedBefore[1],
                    serverErrors, badGateway, tally.wrongAudience.get(), tally.lostConsents.get(), registered);
            System.out.print(tally.latencies().lines().map(l -> "[load] " + l + "\n").reduce("", String::concat));
            tally.failureSamples.forEach(f -> System.out.println("[load] failure: " + f));

            assertEquals(0, serverErrors, "HTTP 5xx");
            assertEquals(0, badGateway, "requests no node answered");
            assertEquals(0, tally.wrongAudience.get(), "tokens with a wrong aud");
            assertEquals(0, tally.lostConsents.get(), "consents asked again");
            assertEquals(0, tally.failures.get(), () -> "failed rounds: " + tally.failureSamples);
            assertTrue(tally.rounds.get() >= clients, "every client completed at least one round: " + tally.rounds);
            assertEquals(tally.count(SimulatedMcpClient.Step.REGISTER), registered,
                    "every registration left exactly one dynamic client");
        }
    }
}
