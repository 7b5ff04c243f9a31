package io.github.mcpauthz.it.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local web server that plays the host of client ID metadata documents: HTTPS on {@code 127.0.0.1} (and on
 * {@code ::1} when the machine has IPv6 loopback) with a certificate of the test CA that Keycloak trusts
 * ({@link CimdTls}), plus plain HTTP on {@code 127.0.0.1} for the {@code allow-http} cases. All listeners share one
 * table path → {@link Response} and one hit counter per path, so a test can prove that Keycloak did (or did not) fetch
 * a document, and how often.
 *
 * <p>Keycloak caches documents per URL, so tests must not reuse a path: {@link #newPath(String)} gives a fresh one.
 * Unknown paths answer 404. One server per test class ({@code @BeforeAll} / {@code @AfterAll}).
 */
public final class CimdDocumentServer implements AutoCloseable {

    private final HttpsServer https;
    private final HttpsServer httpsIpv6;
    private final HttpServer http;
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "cimd-document-server");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Response> routes = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

    private CimdDocumentServer() {
        try {
            https = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
            https.setHttpsConfigurator(new HttpsConfigurator(CimdTls.get().serverContext()));
            start(https);
            httpsIpv6 = ipv6Listener();
            http = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
            start(http);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the CIMD document server", e);
        }
    }

    /**
     * Aborts the calling test (or class, from {@code @BeforeAll}) when Keycloak cannot reach this server: the
     * container runtime runs Keycloak in its own network namespace, where 127.0.0.1 is the container itself.
     */
    public static void assumeReachableFrom(KeycloakEnvironment keycloak) {
        Assumptions.assumeFalse("container".equals(keycloak.runtime()), "Keycloak in a container cannot reach the "
                + "CIMD document server on the host's loopback interface; the fetching CIMD tests run in the "
                + "distribution executions (features-off, features-on)");
    }

    /** Starts a server with an empty table. */
    public static CimdDocumentServer start() {
        return new CimdDocumentServer();
    }

    private HttpsServer ipv6Listener() {
        try {
            HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("::1"), 0), 50);
            server.setHttpsConfigurator(new HttpsConfigurator(CimdTls.get().serverContext()));
            start(server);
            return server;
        } catch (IOException | RuntimeException e) {
            return null; // no IPv6 loopback here: the [::1] cases then only prove the refusal message
        }
    }

    private void start(HttpServer server) {
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    // --- addresses -------------------------------------------------------------------------------------------------

    /** HTTPS port on 127.0.0.1. */
    public int port() {
        return https.getAddress().getPort();
    }

    /** {@code https://localhost:<port><path>}: the usual client_id. */
    public String url(String path) {
        return "https://localhost:" + port() + path;
    }

    /** HTTPS URL with another host (e.g. {@code 127.0.0.1}); the port is the IPv4 listener's. */
    public String url(String host, String path) {
        return "https://" + host + ":" + port() + path;
    }

    /** {@code https://[::1]:<port><path>}, with the IPv6 listener's port when there is one. */
    public String ipv6Url(String path) {
        return "https://[::1]:" + (httpsIpv6 != null ? httpsIpv6.getAddress().getPort() : port()) + path;
    }

    public boolean hasIpv6Listener() {
        return httpsIpv6 != null;
    }

    /** {@code http://localhost:<plain port><path>}, for the {@code allow-http} cases. */
    public String httpUrl(String path) {
        return "http://localhost:" + http.getAddress().getPort() + path;
    }

    /** A path no test used before: {@code /clients/<name>-<random>.json}. */
    public String newPath(String name) {
        return "/clients/" + name + "-" + Pkce.randomUrlSafe(6).toLowerCase().replace('_', 'x').replace('-', 'y')
                + ".json";
    }

    // --- the table -------------------------------------------------------------------------------------------------

    /** What {@code path} answers from now on (replaces an earlier answer; the hit counter is kept). */
    public CimdDocumentServer serve(String path, Response response) {
        routes.put(path, response);
        return this;
    }

    /** Requests for {@code path} so far, on any listener (HEAD and GET alike). */
    public int hits(String path) {
        AtomicInteger count = hits.get(path);
        return count == null ? 0 : count.get();
    }

    /** Requests for any path so far. */
    public int totalHits() {
        return hits.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Every request so far, oldest first. */
    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Forgets the table and the counters. */
    public void reset() {
        routes.clear();
        hits.clear();
        requests.clear();
    }

    @Override
    public void close() {
        https.stop(0);
        if (httpsIpv6 != null) {
            httpsIpv6.stop(0);
        }
        http.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        hits.computeIfAbsent(path, key -> new AtomicInteger()).incrementAndGet();
        requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                exchange.getRequestHeaders().getFirst("Host"), exchange.getRequestHeaders().getFirst("Accept"),
                exchange.getRequestHeaders().getFirst("User-Agent")));
        Response response = routes.getOrDefault(path, Response.status(404).withBody("text/plain", "no such document"));
        try {
            if (response.gate() != null) {
                response.gate().await(60, TimeUnit.SECONDS); // bounded: a forgotten gate cannot hang the server
            }
            if (!response.delay().isZero()) {
                Thread.sleep(response.delay().toMillis());
            }
            response.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            byte[] body = response.body();
            boolean head = exchange.getRequestMethod().equalsIgnoreCase("HEAD");
            if (head || body.length == 0) {
                exchange.sendResponseHeaders(response.status(), -1);
                return;
            }
            // chunked: no Content-Length, so the reader cannot rely on it to enforce its size limit
            exchange.sendResponseHeaders(response.status(), response.chunkedEncoding() ? 0 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                if (response.drip().isZero()) {
                    out.write(body);
                } else {
                    // one byte per interval, at most 10 minutes in all; stops when the reader hangs up
                    long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                    for (int i = 0; i < body.length && System.nanoTime() < end; i++) {
                        out.write(body[i]);
                        out.flush();
                        Thread.sleep(response.drip().toMillis());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client gave up (e.g. Keycloak's read timeout): nothing to answer to
        } finally {
            exchange.close();
        }
    }

    /** One request the server received. */
    public record Request(String method, String uri, String host, String accept, String userAgent) {
    }

    /**
     * An answer: status, headers, body, how long to wait before sending anything, whether to send the body chunked,
     * an interval between body bytes ({@code drip}, zero for all at once) and a gate to wait for before answering.
     */
    public record Response(int status, Map<String, String> headers, byte[] body, Duration delay, boolean chunkedEncoding,
                           Duration drip, CountDownLatch gate) {

        public static Response status(int status) {
            return new Response(status, Map.of(), new byte[0], Duration.ZERO, false, Duration.ZERO, null);
        }

        /** 200 with {@code Content-Type: application/json} and the document serialised (a String is sent as is). */
        public static Response json(Object document) {
            return status(200).withBody("application/json", document instanceof String s ? s : Json.write(document));
        }

        /** 302 to {@code location}. */
        public static Response redirect(String location) {
            return status(302).withHeader("Location", location);
        }

        public Response withBody(String contentType, String body) {
            return withHeader("Content-Type", contentType)
                    .withBytes(body.getBytes(StandardCharsets.UTF_8));
        }

        public Response withBytes(byte[] bytes) {
            return new Response(status, headers, bytes, delay, chunkedEncoding, drip, gate);
        }

        public Response withHeader(String name, String value) {
            Map<String, String> copy = new LinkedHashMap<>(headers);
            copy.put(name, value);
            return new Response(status, Collections.unmodifiableMap(copy), body, delay, chunkedEncoding, drip, gate);
        }

        /** Sleeps this long before sending the status line (so a read timeout fires first). */
        public Response withDelay(Duration delay) {
            return new Response(status, headers, body, delay, chunkedEncoding, drip, gate);
        }

        /** Sends the body with chunked transfer encoding instead of a Content-Length. */
        public Response chunked() {
            return new Response(status, headers, body, delay, true, drip, gate);
        }

        /** Sends the headers at once, then the body one byte per {@code interval} (a host that drips). */
        public Response dripped(Duration interval) {
            return new Response(status, headers, body, delay, chunkedEncoding, interval, gate);
        }

        /** Answers only once {@code gate} is open (at most 60 s), so a test can hold a fetch in progress. */
        public Response heldUntil(CountDownLatch gate) {
            return new Response(status, headers, body, delay, chunkedEncoding, drip, gate);
        }

        public Response cacheControl(String value) {
            return withHeader("Cache-Control", value);
        }
    }

    /** Waits until {@code path} was requested at least {@code count} times or the timeout passes. */
    public boolean awaitHits(String path, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (hits(path) < count && System.nanoTime() < deadline) {
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return hits(path) >= count;
    }
}
