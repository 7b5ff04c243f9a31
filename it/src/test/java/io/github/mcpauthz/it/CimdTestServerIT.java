package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.CimdDocumentServer;
import io.github.mcpauthz.it.support.CimdDocumentServer.Response;
import io.github.mcpauthz.it.support.CimdTls;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.SampleRealm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The test infrastructure of the CIMD tests, independent of the CIMD provider: the local HTTPS server of metadata
 * documents answers what a test tells it to and counts requests; its certificate chains to the generated test CA and
 * to nothing a JDK trusts by default; and the Keycloak under test was started with that CA in its truststore
 * ({@code --truststore-paths}) and does reach the server over HTTPS.
 */
@KeycloakIT
class CimdTestServerIT {

    private static CimdDocumentServer server;
    private static HttpClient trustingClient;

    @BeforeAll
    static void startServer() {
        server = CimdDocumentServer.start();
        trustingClient = HttpClient.newBuilder()
                .sslContext(CimdTls.get().clientContext())
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void tlsMaterialIsACaAndAServerCertificateForLoopbackNames() throws Exception {
        CimdTls tls = CimdTls.get();
        assertTrue(Files.isRegularFile(tls.caPem()), tls.caPem().toString());
        assertTrue(tls.caPem().toString().replace('\\', '/').endsWith("cimd-tls/ca.pem"), tls.caPem().toString());
        X509Certificate ca = tls.caCertificate();
        assertTrue(ca.getBasicConstraints() >= 0, "ca.pem is not a CA certificate: " + ca);

        HttpResponse<String> response = trustingClient.send(HttpRequest.newBuilder(URI.create(server.url("/x"))).build(),
                HttpResponse.BodyHandlers.ofString());
        X509Certificate leaf = (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
        leaf.verify(ca.getPublicKey());
        List<String> names = leaf.getSubjectAlternativeNames().stream().map(san -> san.get(1).toString()).toList();
        assertTrue(names.containsAll(List.of("localhost", "127.0.0.1")), names::toString);
    }

    @Test
    void clientTrustingTheTestCaReachesTheServerByNameAndAddress() throws Exception {
        String path = server.newPath("reachable");
        server.serve(path, Response.json(Map.of("hello", "world")));

        for (String url : List.of(server.url(path), server.url("127.0.0.1", path))) {
            HttpResponse<String> response = get(url);
            assertEquals(200, response.statusCode(), url);
            assertEquals("{\"hello\":\"world\"}", response.body(), url);
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(null));
        }
        if (server.hasIpv6Listener()) {
            assertEquals(200, get(server.ipv6Url(path)).statusCode());
        }
        assertEquals(server.hasIpv6Listener() ? 3 : 2, server.hits(path));
        assertEquals(0, server.hits("/clients/other.json"));
    }

    @Test
    void clientWithoutTheTestCaIsRefusedTheHandshake() {
        String path = server.newPath("untrusted");
        server.serve(path, Response.json(Map.of()));
        HttpClient defaultTrust = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        assertThrows(SSLHandshakeException.class, () -> defaultTrust.send(
                HttpRequest.newBuilder(URI.create(server.url(path))).build(), HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void serverAnswersWhatTheTestAsksFor() throws Exception {
        String redirect = server.newPath("redirect");
        String target = server.newPath("target");
        String missing = server.newPath("missing");
        String failing = server.newPath("failing");
        String big = server.newPath("big");
        String bigChunked = server.newPath("big-chunked");
        String cached = server.newPath("cached");
        server.serve(redirect, Response.redirect(server.url(target)))
                .serve(failing, Response.status(500).withBody("text/plain", "boom"))
                .serve(big, Response.json("{\"x\":\"" + "a".repeat(6000) + "\"}"))
                .serve(bigChunked, Response.json("{\"x\":\"" + "a".repeat(6000) + "\"}").chunked())
                .serve(cached, Response.json("{}").cacheControl("max-age=0"));

        HttpResponse<String> redirected = get(server.url(redirect));
        assertEquals(302, redirected.statusCode());
        assertEquals(Optional.of(server.url(target)), redirected.headers().firstValue("Location"));
        assertEquals(0, server.hits(target), "the client must not have followed the redirect");
        assertEquals(404, get(server.url(missing)).statusCode());
        assertEquals(500, get(server.url(failing)).statusCode());
        HttpResponse<String> large = get(server.url(big));
        assertEquals(6008, large.body().length());
        assertEquals(Optional.of("6008"), large.headers().firstValue("Content-Length"));
        HttpResponse<String> chunked = get(server.url(bigChunked));
        assertEquals(6008, chunked.body().length());
        assertEquals(Optional.empty(), chunked.headers().firstValue("Content-Length"));
        assertEquals(Optional.of("max-age=0"), get(server.url(cached)).headers().firstValue("Cache-Control"));
        assertEquals(1, server.hits(redirect));
        assertEquals(1, server.hits(missing));
    }

    @Test
    void slowAnswerOutlastsAReadTimeout() {
        String slow = server.newPath("slow");
        server.serve(slow, Response.json("{}").withDelay(Duration.ofMillis(1500)));
        // The client's 300 ms timeout fires before the 1.5 s answer: the exception is the proof, no clock needed.
        assertThrows(HttpTimeoutException.class, () -> trustingClient.send(HttpRequest.newBuilder(URI.create(
                server.url(slow))).timeout(Duration.ofMillis(300)).build(), HttpResponse.BodyHandlers.ofString()));

        assertEquals(1, server.hits(slow));
    }

    /** Keycloak was started with {@code --truststore-paths=<ca.pem>} (the distribution runtime only). */
    @Test
    void keycloakRunsWithTheTestCaInItsTruststore(KeycloakEnvironment keycloak) throws IOException {
        Assumptions.assumeTrue("dist".equals(keycloak.runtime()), "the container's command line is not visible here");
        Path pidFile = Path.of(System.getProperty("kc.work.dir", "target")).resolve("kc-run-" + keycloak.variant() + ".pid");
        String expected = "--truststore-paths=" + CimdTls.get().caPem();
        List<String> commandLines = Files.readAllLines(pidFile).stream()
                .map(String::trim).filter(line -> !line.isEmpty())
                .flatMap(pid -> ProcessHandle.of(Long.parseLong(pid)).stream())
                .flatMap(handle -> handle.info().commandLine().stream())
                .toList();
        assertTrue(commandLines.stream().anyMatch(line -> line.contains(expected)),
                "no Keycloak process with " + expected + ": " + commandLines);
    }

    /**
     * Keycloak fetches from the server over HTTPS: the admin console's "import from URL" of an OIDC identity
     * provider makes Keycloak GET the discovery document with its own HTTP client. That succeeds only because
     * Keycloak trusts the test CA (no JDK trusts it by default, see {@link #clientWithoutTheTestCaIsRefusedTheHandshake}).
     */
    @Test
    void keycloakReachesTheServerOverHttps(KeycloakEnvironment keycloak, AdminApi admin) {
        CimdDocumentServer.assumeReachableFrom(keycloak);
        String path = server.newPath("idp-discovery");
        String issuer = server.url("/idp");
        server.serve(path, Response.json(Map.of(
                "issuer", issuer,
                "authorization_endpoint", issuer + "/authorize",
                "token_endpoint", issuer + "/token",
                "jwks_uri", issuer + "/jwks",
                "response_types_supported", List.of("code"),
                "subject_types_supported", List.of("public"),
                "id_token_signing_alg_values_supported", List.of("RS256"))));

        HttpResult imported = admin.post("/admin/realms/" + SampleRealm.NAME + "/identity-provider/import-config",
                Map.of("providerId", "oidc", "fromUrl", server.url(path)));

        assertEquals(200, imported.status(), () -> imported.describe() + "\n(Keycloak log: " + keycloak.logFile() + ")");
        JsonNode config = imported.json();
        assertEquals(issuer + "/authorize", config.path("authorizationUrl").asText(), config::toString);
        assertEquals(1, server.hits(path));
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return trustingClient.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
