package io.github.mcpauthz.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The official distribution, run as {@code kc.sh start-dev} from a fresh copy {@code target/kc-run-<variant>/}.
 *
 * <p>A fresh copy per run because start-dev keeps its H2 database under {@code data/} (so a second
 * {@code --import-realm} would skip the realm) and because {@code --features} re-augments into {@code lib/}.
 */
final class DistributionKeycloak extends KeycloakEnvironment {

    private static final Duration POLL = Duration.ofMillis(500);

    private Path runDir;
    private Path log;
    private Path pidFile;
    private Process process;
    private String baseUrl;

    DistributionKeycloak(Settings settings) {
        super(settings);
    }

    @Override
    protected String unavailableReason() {
        return null;
    }

    @Override
    protected void start() {
        long begin = System.nanoTime();
        require(settings.distDir().resolve("bin/kc.sh"), "the unpacked distribution (run `mvn verify`, which unpacks "
                + "keycloak-quarkus-dist in pre-integration-test)");
        require(settings.providerJar(), "the provider jar (copied by the it module's pre-integration-test phase)");
        require(settings.realmFile(), "the sample realm (-Dmcp.realm.file)");

        Path work = settings.workDir();
        runDir = work.resolve("kc-run-" + variant());
        log = work.resolve("kc-run-" + variant() + ".log");
        pidFile = work.resolve("kc-run-" + variant() + ".pid");
        stopLeftoverOfEarlierRun();
        try {
            deleteTree(runDir);
            copyTree(settings.distDir(), runDir);
            Files.createDirectories(runDir.resolve("providers"));
            Files.copy(settings.providerJar(), runDir.resolve("providers/keycloak-mcp-authz.jar"),
                    StandardCopyOption.REPLACE_EXISTING);
            Files.createDirectories(runDir.resolve("data/import"));
            SampleRealm.copyForVersion(settings.realmFile(), runDir.resolve("data/import/" + REALM + "-realm.json"),
                    settings.keycloakVersion());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + runDir, e);
        }
        long copied = System.nanoTime();

        int port = freePort();
        baseUrl = "http://127.0.0.1:" + port;
        List<String> command = new ArrayList<>(List.of(
                runDir.resolve("bin/kc.sh").toString(),
                "start-dev",
                "--http-host=127.0.0.1",
                "--http-port=" + port,
                "--http-management-port=" + freePort(),
                "--import-realm",
                // trust the CA of the tests' local HTTPS server of client ID metadata documents (CimdTls)
                "--truststore-paths=" + CimdTls.get(work).caPem()));
        if (!features().isEmpty()) {
            command.add("--features=" + features());
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(runDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", Settings.ADMIN_USERNAME);
        builder.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", Settings.ADMIN_PASSWORD);
        builder.environment().put("JAVA_OPTS_KC_HEAP", "-Xms128m -Xmx1g");
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        }
        writePidFile();
        awaitRealm(begin);
        writePidFile(); // the java child exists by now
        System.out.printf("[kc] %s ready: copy %.1f s, start %.1f s, total %.1f s; log %s%n", this,
                seconds(copied - begin), seconds(System.nanoTime() - copied), seconds(System.nanoTime() - begin), log);
    }

    private void awaitRealm(long begin) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(issuer() + "/.well-known/openid-configuration"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        long deadline = begin + TimeUnit.SECONDS.toNanos(settings.startTimeoutSeconds());
        int lastStatus = -1;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited with status " + process.exitValue()
                        + " before realm '" + REALM + "' was served. Last lines of " + log + ":\n" + logTail(60));
            }
            try {
                HttpResponse<Void> response = client.send(probe, HttpResponse.BodyHandlers.discarding());
                lastStatus = response.statusCode();
                if (lastStatus == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Keycloak", e);
            }
            sleep(POLL);
        }
        throw new IllegalStateException("realm '" + REALM + "' was not served within " + settings.startTimeoutSeconds()
                + " s (last status " + lastStatus + "). Last lines of " + log + ":\n" + logTail(60));
    }

    @Override
    protected void stop() {
        if (process == null) {
            return;
        }
        // kc.sh runs java as a child and forwards TERM; end the JVM first, then the script, then whatever is left.
        List<ProcessHandle> tree = Stream.concat(process.descendants(), Stream.of(process.toHandle()))
                .collect(Collectors.toList());
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (ProcessHandle handle : tree) {
            while (handle.isAlive() && System.nanoTime() < deadline) {
                sleep(Duration.ofMillis(100));
            }
            if (handle.isAlive()) {
                handle.destroyForcibly();
            }
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException ignored) {
            // harmless: the next run checks that the pid still belongs to this run directory
        }
    }

    @Override
    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public Path logFile() {
        return log;
    }

    /** The last lines of Keycloak's output, for failure messages. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** A JVM killed hard (no shutdown hook) leaves its Keycloak running; end it if its pid still runs from our dir. */
    private void stopLeftoverOfEarlierRun() {
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        try {
            for (String line : Files.readAllLines(pidFile)) {
                ProcessHandle.of(Long.parseLong(line.trim()))
                        .filter(handle -> handle.info().commandLine().map(c -> c.contains(runDir.toString())).orElse(false))
                        .ifPresent(handle -> {
                            System.out.println("[kc] ending Keycloak left over by an earlier run: pid " + handle.pid());
                            handle.destroyForcibly();
                            handle.onExit().orTimeout(20, TimeUnit.SECONDS).join();
                        });
            }
            Files.delete(pidFile);
        } catch (IOException | RuntimeException e) {
            System.err.println("[kc] cannot check " + pidFile + ": " + e);
        }
    }

    private void writePidFile() {
        String pids = Stream.concat(Stream.of(process.toHandle()), process.descendants())
                .map(handle -> Long.toString(handle.pid()))
                .collect(Collectors.joining("\n"));
        try {
            Files.writeString(pidFile, pids + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void require(Path path, String what) {
        if (!Files.exists(path)) {
            throw new IllegalStateException("missing " + what + ": " + path);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                // COPY_ATTRIBUTES keeps the executable bit of bin/*.sh
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.delete(path);
            }
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
