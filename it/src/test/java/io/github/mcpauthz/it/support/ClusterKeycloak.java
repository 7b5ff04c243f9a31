package io.github.mcpauthz.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Production mode as an admin runs it ({@code -Dkc.runtime=cluster}): a PostgreSQL server, {@code kc.sh build
 * --db=postgres --health-enabled=true} once with the provider jar, then two nodes with {@code kc.sh start
 * --optimized}, Keycloak's default clustered caches and {@code jdbc-ping} discovery, behind a {@link LoopbackBalancer}
 * whose URL is the fixed {@code --hostname} of both nodes. Everything on 127.0.0.1.
 *
 * <p>{@link #baseUrl()} is the balancer. It starts in round-robin mode, so the ordinary integration tests that run in
 * this execution alternate between the nodes on every request. Everything (nodes, balancer, PostgreSQL) is stopped
 * by the shutdown hook of {@link KeycloakEnvironment}, and what a test JVM killed hard left behind is ended at the
 * next start ({@code target/kc-cluster.pids}).
 */
public final class ClusterKeycloak extends KeycloakEnvironment implements ClusterSettings {

    /** Seconds between two runs of the scheduled idle cleanup (the provider's minimum). */
    public static final long CLEANUP_INTERVAL_SECONDS = 10;

    private PostgresServer postgres;
    private LoopbackBalancer balancer;
    private final List<ClusterNode> nodes = new ArrayList<>();
    private Path pidFile;

    ClusterKeycloak(Settings settings) {
        super(settings);
    }

    /** The cluster of this test JVM (fails unless the execution runs with {@code -Dkc.runtime=cluster}). */
    public static ClusterKeycloak get() {
        KeycloakEnvironment environment = KeycloakEnvironment.get();
        if (!(environment instanceof ClusterKeycloak cluster)) {
            throw new IllegalStateException("this test needs -Dkc.runtime=cluster (the postgres-cluster profile), not "
                    + environment);
        }
        return cluster;
    }

    @Override
    protected void start() {
        long begin = System.nanoTime();
        Path work = settings.workDir();
        pidFile = work.resolve("kc-cluster.pids");
        stopLeftovers();
        postgres = new PostgresServer(work.resolve("pg-cluster/data"));
        postgres.start();
        balancer = new LoopbackBalancer();
        Path base = work.resolve("kc-cluster-base");
        try {
            build(base);
            long built = System.nanoTime();
            System.out.printf("[cluster] kc.sh build done in %.1f s%n", (built - begin) / 1e9);
            for (int n = 1; n <= 2; n++) {
                Path dir = work.resolve("kc-cluster-node" + n);
                deleteTree(dir);
                linkTree(base, dir);
                if (n == 1) {
                    // only node 1 imports (a node skips a realm that exists, but one importer keeps the log clear)
                    Files.createDirectories(dir.resolve("data/import"));
                    Files.copy(settings.realmFile(), dir.resolve("data/import/" + REALM + "-realm.json"),
                            StandardCopyOption.REPLACE_EXISTING);
                }
                Path log = work.resolve("kc-cluster-node" + n + ".log");
                Files.deleteIfExists(log);
                nodes.add(new ClusterNode(n, dir, log, n == 1 ? 0 : nodes.get(0).jgroupsPort()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the cluster under " + work, e);
        }
        balancer.nodes(nodes);
        nodes.get(0).start(this); // creates the schema and imports the realm
        nodes.get(1).start(this);
        awaitClusterView(2);
        System.out.printf("[cluster] %s ready in %.1f s%n", this, (System.nanoTime() - begin) / 1e9);
    }

    /** {@code kc.sh build} in a fresh copy of the distribution with the provider jar: the optimized image. */
    private void build(Path base) throws IOException {
        deleteTree(base);
        copyTree(settings.distDir(), base);
        Files.createDirectories(base.resolve("providers"));
        Files.copy(settings.providerJar(), base.resolve("providers/keycloak-mcp-authz.jar"),
                StandardCopyOption.REPLACE_EXISTING);
        List<String> command = new ArrayList<>(List.of(base.resolve("bin/kc.sh").toString(), "build",
                "--db=postgres", "--health-enabled=true"));
        if (!features().isEmpty()) {
            command.add("--features=" + features());
        }
        Path log = settings.workDir().resolve("kc-cluster-build.log");
        Process build = new ProcessBuilder(command).directory(base.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            if (!build.waitFor(settings.startTimeoutSeconds(), TimeUnit.SECONDS)) {
                build.descendants().forEach(ProcessHandle::destroyForcibly);
                build.destroyForcibly();
                throw new IllegalStateException("kc.sh build did not finish within " + settings.startTimeoutSeconds()
                        + " s; see " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (build.exitValue() != 0) {
            throw new IllegalStateException("kc.sh build failed (" + build.exitValue() + "):\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
    }

    /**
     * Waits until every running node logs a JGroups/Infinispan cluster view with {@code members} members (the
     * nodes found each other through the JGROUPS_PING table), so tests never run against two one-node clusters.
     */
    public void awaitClusterView(int members) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String view = "(" + members + ")";
        while (System.nanoTime() < deadline) {
            boolean all = nodes.stream().filter(ClusterNode::isRunning).allMatch(node -> {
                List<String> lines = node.logLines();
                for (int i = lines.size() - 1; i >= 0; i--) {
                    String line = lines.get(i);
                    if (line.contains("ISPN000094")) { // "Received new cluster view for channel ISPN: [...] (2) [...]"
                        return line.contains(view);
                    }
                }
                return false;
            });
            if (all) {
                return;
            }
            sleepMillis(500);
        }
        throw new IllegalStateException("the nodes did not form a cluster of " + members + " within 120 s:\n"
                + nodes.stream().map(n -> n + ":\n" + n.logTail(30)).collect(Collectors.joining("\n")));
    }

    public ClusterNode node(int number) {
        return nodes.get(number - 1);
    }

    public List<ClusterNode> nodes() {
        return List.copyOf(nodes);
    }

    public LoopbackBalancer balancer() {
        return balancer;
    }

    public PostgresServer postgres() {
        return postgres;
    }

    /** Requests of this thread's tests go to {@code node} only; {@link #roundRobin()} ends that. */
    public void pin(int node) {
        balancer.pin(node(node));
    }

    public void roundRobin() {
        balancer.roundRobin();
    }

    /** Starts a node that was stopped or killed, and waits until both nodes see each other again. */
    public void restart(int number) {
        node(number).start(this);
        awaitClusterView(nodes.size());
    }

    @Override
    protected void stop() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            try {
                nodes.get(i).stop();
            } catch (RuntimeException e) {
                System.err.println("[cluster] stopping " + nodes.get(i) + " failed: " + e);
            }
        }
        if (balancer != null) {
            balancer.close();
        }
        if (postgres != null) {
            postgres.stop();
        }
        try {
            if (pidFile != null) {
                Files.deleteIfExists(pidFile);
            }
        } catch (IOException ignored) {
            // the next run checks that each pid still runs from our directories
        }
    }

    @Override
    public String baseUrl() {
        return balancer.url();
    }

    @Override
    public Path logFile() {
        return nodes.isEmpty() ? null : nodes.get(0).log();
    }

    // --- ClusterSettings -------------------------------------------------------------------------------------------

    @Override
    public String jdbcUrl() {
        return postgres.jdbcUrl();
    }

    @Override
    public String publicUrl() {
        return balancer.url();
    }

    @Override
    public Path truststorePem() {
        return CimdTls.get(settings.workDir()).caPem();
    }

    @Override
    public long cleanupIntervalSeconds() {
        return CLEANUP_INTERVAL_SECONDS;
    }

    @Override
    public int startTimeoutSeconds() {
        return settings.startTimeoutSeconds();
    }

    @Override
    public synchronized void remember(ClusterNode node) {
        String pids = nodes.stream().flatMap(n -> n.pids().stream()).map(String::valueOf)
                .collect(Collectors.joining("\n"));
        try {
            Files.writeString(pidFile, pids + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void stopLeftovers() {
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        String marker = settings.workDir().resolve("kc-cluster-node").toString();
        try {
            for (String line : Files.readAllLines(pidFile)) {
                if (line.isBlank()) {
                    continue;
                }
                ProcessHandle.of(Long.parseLong(line.trim()))
                        .filter(h -> h.info().commandLine().map(c -> c.contains(marker)).orElse(false))
                        .ifPresent(h -> {
                            System.out.println("[cluster] ending a node left over by an earlier run: pid " + h.pid());
                            h.destroyForcibly();
                            h.onExit().orTimeout(20, TimeUnit.SECONDS).join();
                        });
            }
            Files.delete(pidFile);
        } catch (IOException | RuntimeException e) {
            System.err.println("[cluster] cannot check " + pidFile + ": " + e);
        }
    }

    @Override
    public String toString() {
        return "Keycloak " + settings.keycloakVersion() + " cluster (start --optimized, PostgreSQL "
                + (postgres == null ? "-" : "127.0.0.1:" + postgres.port()) + ", " + nodes + ") at "
                + (balancer == null ? "-" : balancer.url());
    }

    // --- files -----------------------------------------------------------------------------------------------------

    static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** A node's copy of the built distribution: hard links (nothing under it is written in place), copy as fallback. */
    private static void linkTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path target = to.resolve(from.relativize(file).toString());
                try {
                    Files.createLink(target, file);
                } catch (IOException | UnsupportedOperationException e) {
                    Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(path);
            }
        }
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
