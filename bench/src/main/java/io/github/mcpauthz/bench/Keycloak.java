package io.github.mcpauthz.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** One Keycloak distribution directory run as {@code kc.sh start-dev} on a free port of 127.0.0.1. */
final class Keycloak {

    static final String ADMIN_USER = "bench-admin";
    static final String ADMIN_PASSWORD = "bench-admin-" + Web.randomToken(6);

    final Side side;
    private final Path home;
    private final Path runDir;
    private final Path truststore;
    private final int startTimeoutSeconds;
    private Process process;
    private String baseUrl;
    private int starts;
    private Admin admin;

    Keycloak(Side side, Path home, Path runDir, Path truststore, int startTimeoutSeconds) {
        this.side = side;
        this.home = home;
        this.runDir = runDir;
        this.truststore = truststore;
        this.startTimeoutSeconds = startTimeoutSeconds;
    }

    /**
     * Starts and waits until the master realm is served; returns the seconds from launch to ready. A port picked free
     * can be taken before Keycloak binds it (an outgoing connection's ephemeral port): such a start is tried again on
     * other ports, up to three times, and the seconds then count from the first launch (never flattering a side).
     */
    double start() {
        long begin = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            try {
                launch(begin);
                return (System.nanoTime() - begin) / 1e9;
            } catch (PortTaken e) {
                if (attempt == 3) {
                    throw new BenchException(side.id + " Keycloak could not bind a free port in 3 attempts; see " + log());
                }
                System.out.println("[bench] " + side.id + ": " + e.getMessage() + "; starting again on other ports");
            }
        }
    }

    private static final class PortTaken extends RuntimeException {
        PortTaken(String message) {
            super(message, null, false, false);
        }
    }

    private void launch(long begin) {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(side + " is already running");
        }
        int port = freePort();
        baseUrl = "http://127.0.0.1:" + port;
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/kc.sh").toString(), "start-dev",
                "--http-host=127.0.0.1", "--http-port=" + port, "--http-management-port=" + freePort(),
                "--truststore-paths=" + truststore.toAbsolutePath(),
                // Themes and templates cached as in production (kc.sh start); start-dev turns the caches off, and
                // would then parse every login and consent template on every request, on both sides.
                "--spi-theme--cache-themes=true", "--spi-theme--cache-templates=true"));
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        builder.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_USER);
        builder.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
        builder.environment().put("JAVA_OPTS_KC_HEAP", "-Xms256m -Xmx1536m");
        long logStart;
        try {
            logStart = Files.exists(log()) ? Files.size(log()) : 0;
            Files.writeString(log(), "\n=== start " + (++starts) + " " + String.join(" ", command) + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        }
        writePids();
        HttpClient probe = Web.client(false);
        long deadline = begin + TimeUnit.SECONDS.toNanos(startTimeoutSeconds);
        while (true) {
            if (!process.isAlive()) {
                int exit = process.exitValue();
                process = null;
                if (logSince(logStart).contains("Address already in use")) {
                    throw new PortTaken("port " + port + " or the management port was taken before Keycloak bound it");
                }
                throw new BenchException(side.id + " Keycloak exited with " + exit + "; see " + log());
            }
            if (System.nanoTime() > deadline) {
                throw new BenchException(side.id + " Keycloak not ready within " + startTimeoutSeconds + " s; see " + log());
            }
            try {
                HttpResponse<String> response = Web.get(probe, baseUrl + "/realms/master/.well-known/openid-configuration");
                if (response.statusCode() == 200) {
                    break;
                }
            } catch (BenchException notYet) {
                // not listening yet
            }
            sleep(200);
        }
        writePids();
        try {
            Files.writeString(home.resolve(".bench-started"), "started once: start-dev's build is done\n"); // --reuse-dist
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        admin = new Admin(baseUrl, ADMIN_USER, ADMIN_PASSWORD);
    }

    /** What the log got from byte {@code offset} on ("" when unreadable). */
    private String logSince(long offset) {
        try {
            byte[] all = Files.readAllBytes(log());
            return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Makes the stopped copy fresh again, as run.sh unpacked it: no database, and the distribution's own build (so the
     * next start-dev builds again, with this copy's providers). For repeated first-start figures.
     */
    void makeFresh(Path distribution) {
        if (process != null) {
            throw new IllegalStateException(side + " is running");
        }
        try {
            deleteTree(home.resolve("data"));
            Path quarkus = home.resolve("lib/quarkus");
            deleteTree(quarkus);
            Files.createDirectories(quarkus);
            try (Stream<Path> files = Files.list(distribution.resolve("lib/quarkus"))) {
                for (Path file : files.toList()) {
                    Files.copy(file, quarkus.resolve(file.getFileName()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + home + " fresh", e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    void stop() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> tree = Stream.concat(process.descendants(), Stream.of(process.toHandle()))
                .collect(Collectors.toList());
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (ProcessHandle handle : tree) {
            while (handle.isAlive() && System.nanoTime() < deadline) {
                sleep(100);
            }
            if (handle.isAlive()) {
                handle.destroyForcibly();
            }
        }
        process = null;
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException ignored) {
            // run.sh checks the command line before it kills a recorded pid
        }
    }

    /** Resident set size of Keycloak's JVM in MiB, from /proc (Linux); -1 when unknown. */
    double rssMiB() {
        Optional<ProcessHandle> jvm = jvm();
        if (jvm.isEmpty()) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + jvm.get().pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * CPU time (user + system) Keycloak's JVM has used so far, in ms, from /proc (Linux; clock ticks of 10 ms); -1 when
     * unknown. Divided by the operations of a round it is the CPU cost of one operation, which, unlike throughput,
     * hardly depends on what else runs on the machine.
     */
    long cpuMillis() {
        Optional<ProcessHandle> jvm = jvm();
        if (jvm.isEmpty()) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + jvm.get().pid() + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // Fields 14 and 15 of stat (utime, stime); index 0 here is field 3.
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private Optional<ProcessHandle> jvm() {
        if (process == null) {
            return Optional.empty();
        }
        return Stream.concat(Stream.of(process.toHandle()), process.descendants())
                .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .findFirst();
    }

    String baseUrl() {
        return baseUrl;
    }

    String issuer(String realm) {
        return baseUrl + "/realms/" + realm;
    }

    Admin admin() {
        return admin;
    }

    Path log() {
        return runDir.resolve(side.id + ".log");
    }

    private Path pidFile() {
        return runDir.resolve(side.id + ".pids");
    }

    private void writePids() {
        String pids = Stream.concat(Stream.of(process.toHandle()), process.descendants())
                .map(h -> Long.toString(h.pid())).collect(Collectors.joining("\n"));
        try {
            Files.writeString(pidFile(), pids + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted", e);
        }
    }
}
