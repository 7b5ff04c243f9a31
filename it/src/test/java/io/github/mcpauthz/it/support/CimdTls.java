package io.github.mcpauthz.it.support;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The TLS material of the local HTTPS server that serves client ID metadata documents to Keycloak
 * ({@link CimdDocumentServer}): a throw-away CA and a server certificate for {@code localhost}, {@code 127.0.0.1} and
 * {@code ::1}, signed by it. Generated with the JDK's {@code keytool} into {@code target/cimd-tls/}:
 *
 * <ul>
 *   <li>{@code ca.pem}: the CA certificate; Keycloak gets it through {@code --truststore-paths} at startup, the
 *       tests' own HTTP clients through {@link #clientContext()};</li>
 *   <li>{@code server.p12}: the server's key and chain (password {@value #PASSWORD}).</li>
 * </ul>
 *
 * <p>Made once and reused by later test JVMs (the three failsafe executions) while the certificates stay valid for
 * at least a day, so every Keycloak of a build trusts the same CA; {@code complete} marks a finished generation.
 * Must exist before Keycloak starts, which is why {@link DistributionKeycloak} and {@link ContainerKeycloak} ask for it.
 */
public final class CimdTls {

    static final String PASSWORD = "changeit";
    private static final int VALIDITY_DAYS = 30;
    private static final List<String> SERVER_NAMES = List.of("dns:localhost", "ip:127.0.0.1", "ip:::1");

    private static CimdTls instance;

    private final Path dir;
    private SSLContext serverContext;
    private SSLContext clientContext;

    private CimdTls(Path dir) {
        this.dir = dir;
    }

    /** The material under {@code <kc.work.dir>/cimd-tls}, generated if missing or about to expire. */
    public static synchronized CimdTls get() {
        return get(Settings.fromSystemProperties().workDir());
    }

    static synchronized CimdTls get(Path workDir) {
        if (instance == null) {
            CimdTls tls = new CimdTls(workDir.resolve("cimd-tls"));
            tls.ensureGenerated();
            instance = tls;
        }
        return instance;
    }

    public Path directory() {
        return dir;
    }

    /** Absolute path of the CA certificate (PEM), as passed to Keycloak's {@code --truststore-paths}. */
    public Path caPem() {
        return dir.resolve("ca.pem").toAbsolutePath();
    }

    public Path serverKeyStore() {
        return dir.resolve("server.p12");
    }

    public X509Certificate caCertificate() {
        try (InputStream in = Files.newInputStream(caPem())) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read " + caPem(), e);
        }
    }

    /** For the HTTPS server: the server key and its chain. */
    public synchronized SSLContext serverContext() {
        if (serverContext == null) {
            try {
                KeyStore keys = loadServerKeyStore();
                KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                factory.init(keys, PASSWORD.toCharArray());
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(factory.getKeyManagers(), null, null);
                serverContext = context;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot load " + serverKeyStore(), e);
            }
        }
        return serverContext;
    }

    /** For test HTTP clients: trusts the test CA and nothing else. */
    public synchronized SSLContext clientContext() {
        if (clientContext == null) {
            try {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                trust.setCertificateEntry("cimd-test-ca", caCertificate());
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(trust);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, factory.getTrustManagers(), null);
                clientContext = context;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot build a trust store from " + caPem(), e);
            }
        }
        return clientContext;
    }

    // --- generation ------------------------------------------------------------------------------------------------

    private void ensureGenerated() {
        if (usable()) {
            return;
        }
        long begin = System.nanoTime();
        try {
            deleteTree(dir);
            Files.createDirectories(dir);
            Path ca = dir.resolve("ca.p12");
            Path csr = dir.resolve("server.csr");
            Path serverPem = dir.resolve("server.pem");
            // A CA (basic constraints CA:true, may sign certificates) ...
            keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=keycloak-mcp-authz integration test CA", "-validity", Integer.toString(VALIDITY_DAYS),
                    "-ext", "bc:c", "-ext", "ku:c=keyCertSign,cRLSign",
                    "-keystore", ca.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
            keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASSWORD,
                    "-file", caPem().toString());
            // ... and a server key whose certificate the CA signs, for localhost, 127.0.0.1 and ::1.
            keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=localhost", "-validity", Integer.toString(VALIDITY_DAYS),
                    "-keystore", serverKeyStore().toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
            keytool("-certreq", "-alias", "server", "-keystore", serverKeyStore().toString(), "-storepass", PASSWORD,
                    "-file", csr.toString());
            keytool("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASSWORD,
                    "-infile", csr.toString(), "-outfile", serverPem.toString(), "-rfc",
                    "-validity", Integer.toString(VALIDITY_DAYS),
                    "-ext", "san=" + String.join(",", SERVER_NAMES),
                    "-ext", "ku:c=digitalSignature", "-ext", "eku=serverAuth");
            // The signed certificate replaces the self-signed one; keytool needs the CA to build the chain.
            keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caPem().toString(),
                    "-keystore", serverKeyStore().toString(), "-storepass", PASSWORD);
            keytool("-importcert", "-noprompt", "-alias", "server", "-file", serverPem.toString(),
                    "-keystore", serverKeyStore().toString(), "-storepass", PASSWORD);
            Files.writeString(dir.resolve("complete"), Instant.now() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot generate the CIMD test TLS material in " + dir, e);
        }
        if (!usable()) {
            throw new IllegalStateException("generated TLS material in " + dir + " is not usable");
        }
        System.out.printf("[cimd-tls] generated test CA and server certificate in %s (%.1f s)%n", dir,
                (System.nanoTime() - begin) / 1e9);
    }

    /** Complete, loadable, chained to ca.pem and valid for at least another day. */
    private boolean usable() {
        if (!Files.isRegularFile(dir.resolve("complete"))) {
            return false;
        }
        try {
            X509Certificate ca = caCertificate();
            KeyStore keys = loadServerKeyStore();
            Certificate[] chain = keys.getCertificateChain("server");
            if (chain == null || chain.length < 2 || !(chain[0] instanceof X509Certificate server)) {
                return false;
            }
            server.verify(ca.getPublicKey());
            Instant soon = Instant.now().plus(Duration.ofDays(1));
            return server.getNotAfter().toInstant().isAfter(soon) && ca.getNotAfter().toInstant().isAfter(soon);
        } catch (IOException | UncheckedIOException | GeneralSecurityException | IllegalStateException e) {
            return false;
        }
    }

    private KeyStore loadServerKeyStore() throws IOException, GeneralSecurityException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(serverKeyStore())) {
            keys.load(in, PASSWORD.toCharArray());
        }
        return keys;
    }

    private void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.add("-J-Duser.language=en");
        command.addAll(List.of(args));
        Path output = dir.resolve("keytool.log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                .start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("keytool did not finish within 60 s: " + command);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running keytool", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("keytool failed (exit " + process.exitValue() + "): " + command + "\n"
                    + Files.readString(output, StandardCharsets.UTF_8));
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
