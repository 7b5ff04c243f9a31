package io.github.mcpauthz.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One Keycloak node of the test cluster: {@code kc.sh start --optimized} from its own copy of the distribution that
 * {@code kc.sh build} prepared (PostgreSQL, health, the provider jar), on its own loopback ports (HTTP, management,
 * JGroups), with Keycloak's default clustered caches and {@code jdbc-ping} discovery through the shared database.
 */
public final class ClusterNode {

    private static final HttpClient PROBE = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final int number;
    private final Path dir;
    private final Path log;
    private final int httpPort;
    private final int managementPort;
    private final int jgroupsPort;
    private final AtomicLong served = new AtomicLong();
    private Process process;
    private int starts;

    ClusterNode(int number, Path dir, Path log, int avoidJgroupsPort) {
        this.number = number;
        this.dir = dir;
        this.log = log;
        this.httpPort = freePort();
        this.managementPort = freePort();
        this.jgroupsPort = freeJgroupsPort(avoidJgroupsPort);
    }

    public int number() {
        return number;
    }

    public int httpPort() {
        return httpPort;
    }

    public int jgroupsPort() {
        return jgroupsPort;
    }

    public Path log() {
        return log;
    }

    /** Requests the balancer got an answer for from this node. */
    public long servedCount() {
        return served.get();
    }

    void served() {
        served.incrementAndGet();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The options of {@code kc.sh start --optimized}; the build-time ones were fixed by {@code kc.sh build}. */
    List<String> startCommand(ClusterSettings cluster) {
        List<String> command = new ArrayList<>(List.of(
                dir.resolve("bin/kc.sh").toString(),
                "start",
                "--optimized",
                "--db-url=" + cluster.jdbcUrl(),
                "--db-username=" + PostgresServer.USER,
                "--db-pool-max-size=40",
                "--hostname=" + cluster.publicUrl(),
                "--http-enabled=true",
                "--http-host=127.0.0.1",
                "--http-port=" + httpPort,
                "--http-management-port=" + managementPort,
                "--proxy-headers=xforwarded",
                "--proxy-trusted-addresses=127.0.0.1",
                "--cache-stack=jdbc-ping",
                "--cache-embedded-network-bind-address=127.0.0.1",
                "--cache-embedded-network-bind-port=" + jgroupsPort,
                "--truststore-paths=" + cluster.truststorePem(),
                "--import-realm",
                "--log-level=INFO,io.github.mcpauthz.core.client.DynamicClientCleanup:debug",
                "--spi-client-registration-policy--mcp-dynamic-client-limits--cleanup-interval="
                        + cluster.cleanupIntervalSeconds()));
        return command;
    }

    /** Starts the node and waits until it serves the sample realm. */
    public synchronized void start(ClusterSettings cluster) {
        if (isRunning()) {
            throw new IllegalStateException(this + " already runs");
        }
        long begin = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(startCommand(cluster))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", Settings.ADMIN_USERNAME);
        builder.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", Settings.ADMIN_PASSWORD);
        builder.environment().put("JAVA_OPTS_KC_HEAP", "-Xms128m -Xmx768m");
        try {
            Files.writeString(log, "\n===== start " + (++starts) + " of node " + number + " =====\n",
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + this, e);
        }
        cluster.remember(this);
        awaitReady(begin, cluster.startTimeoutSeconds());
        cluster.remember(this); // the java child exists by now
        System.out.printf("[cluster] %s ready in %.1f s%n", this, (System.nanoTime() - begin) / 1e9);
    }

    private void awaitReady(long begin, int timeoutSeconds) {
        HttpRequest probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/health/ready"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        long deadline = begin + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        int lastStatus = -1;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(this + " exited with status " + process.exitValue()
                        + " before it was ready. Last lines of " + log + ":\n" + logTail(80));
            }
            try {
                lastStatus = PROBE.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (lastStatus == 200 && realmServed()) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            sleep(500);
        }
        throw new IllegalStateException(this + " was not ready within " + timeoutSeconds + " s (last status "
                + lastStatus + "). Last lines of " + log + ":\n" + logTail(80));
    }

    private boolean realmServed() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/realms/"
                + KeycloakEnvironment.REALM + "/.well-known/openid-configuration")).timeout(Duration.ofSeconds(10))
                .GET().build();
        return PROBE.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    }

    /** Graceful stop: SIGTERM to Keycloak's JVM and the script, as {@code systemctl stop} or Kubernetes do. */
    public synchronized void stop() {
        end(false);
    }

    /** SIGKILL to Keycloak's JVM (and the script): no shutdown hook, no cache hand-over, no transaction finished. */
    public synchronized void kill() {
        end(true);
    }

    private void end(boolean hard) {
        if (process == null) {
            return;
        }
        List<ProcessHandle> tree = Stream.concat(process.descendants(), Stream.of(process.toHandle()))
                .collect(Collectors.toList());
        tree.forEach(hard ? ProcessHandle::destroyForcibly : ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (ProcessHandle handle : tree) {
            while (handle.isAlive() && System.nanoTime() < deadline) {
                sleep(100);
            }
            if (handle.isAlive()) {
                handle.destroyForcibly();
                handle.onExit().orTimeout(10, TimeUnit.SECONDS).join();
            }
        }
        process = null;
        System.out.printf("[cluster] %s %s%n", this, hard ? "killed (SIGKILL)" : "stopped (SIGTERM)");
    }

    /** Pids of the script and Keycloak's JVM while running. */
    synchronized List<Long> pids() {
        if (process == null) {
            return List.of();
        }
        return Stream.concat(Stream.of(process.toHandle()), process.descendants()).map(ProcessHandle::pid).toList();
    }

    Path dir() {
        return dir;
    }

    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** Keycloak's output of this node so far (all starts). */
    public List<String> logLines() {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "node " + number + " (http 127.0.0.1:" + httpPort + ", jgroups " + jgroupsPort + ")";
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A free port whose failure-detection port (FD_SOCK2: +50000, wrapped at 65536) is free too, far from {@code avoid}. */
    private static int freeJgroupsPort(int avoid) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = 20000 + (int) (Math.random() * 20000);
            if (avoid != 0 && Math.abs(port - avoid) <= 200) {
                continue;
            }
            if (free(port) && free((port + 50_000) % 65_536)) {
                return port;
            }
        }
        throw new IllegalStateException("no free JGroups port pair");
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
