package io.github.mcpauthz.it.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load balancer in front of the cluster, as an admin runs one: an HTTP reverse proxy on 127.0.0.1 whose URL is
 * every node's {@code --hostname}, so tokens, cookies and form actions are the same whichever node answers. It adds
 * {@code X-Forwarded-For/-Proto/-Host/-Port} (the nodes run with {@code --proxy-headers=xforwarded}).
 *
 * <p>Routing is per request, so a test can say "the next request goes to node 2" even though its HTTP client keeps
 * connections open: {@link #pin} sends everything to one node (no failover: the test asked for that node),
 * {@link #roundRobin} alternates over the nodes and, when a node refuses the connection (stopped or killed), tries the
 * next one, as a real balancer's health check would. A request that a node accepted and then lost (killed while
 * answering) gets 502.
 */
public final class LoopbackBalancer implements AutoCloseable {

    private static final Set<String> HOP_BY_HOP = Set.of("host", "connection", "content-length", "expect", "upgrade",
            "keep-alive", "transfer-encoding", "te", "trailer", "proxy-connection", "http2-settings");

    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient client;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLong badGateway = new AtomicLong();
    private final AtomicLong serverErrors = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private volatile List<ClusterNode> nodes = List.of();
    private volatile ClusterNode pinned;

    public LoopbackBalancer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        executor = Executors.newFixedThreadPool(128, r -> {
            Thread thread = new Thread(r, "balancer");
            thread.setDaemon(true);
            return thread;
        });
        client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(3))
                .build();
        server.setExecutor(executor);
        server.createContext("/", this::forward);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public void nodes(List<ClusterNode> all) {
        nodes = List.copyOf(all);
    }

    /** Every request goes to {@code node} until the next {@link #pin} or {@link #roundRobin}. */
    public void pin(ClusterNode node) {
        pinned = node;
    }

    public void roundRobin() {
        pinned = null;
    }

    /** Responses with a status of 500 or more that a node sent (502s of the balancer itself not included). */
    public long serverErrorCount() {
        return serverErrors.get();
    }

    /** Responses a node sent. */
    public long answeredCount() {
        return answered.get();
    }

    /** Requests answered 502 because the node lost them (or no node accepted them). */
    public long badGatewayCount() {
        return badGateway.get();
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            ClusterNode fixed = pinned;
            List<ClusterNode> candidates = nodes;
            int attempts = fixed != null ? 1 : candidates.size();
            int start = Math.floorMod(next.getAndIncrement(), Math.max(1, candidates.size()));
            HttpResponse<byte[]> response = null;
            IOException last = null;
            for (int i = 0; i < attempts && response == null; i++) {
                ClusterNode target = fixed != null ? fixed : candidates.get((start + i) % candidates.size());
                try {
                    response = client.send(request(exchange, target, body), HttpResponse.BodyHandlers.ofByteArray());
                    target.served();
                } catch (ConnectException | HttpConnectTimeoutException e) {
                    last = e; // never reached the node: safe to try the next one
                } catch (IOException e) {
                    last = e; // the node took the request and lost it: the client must see that
                    break;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (response == null) {
                badGateway.incrementAndGet();
                byte[] message = ("balancer: no node answered: " + last).getBytes();
                exchange.sendResponseHeaders(502, message.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(message);
                }
                return;
            }
            answered.incrementAndGet();
            if (response.statusCode() >= 500) {
                serverErrors.incrementAndGet();
                System.err.printf("[balancer] HTTP %d from %s for %s %s%n", response.statusCode(),
                        response.uri().getPort(), exchange.getRequestMethod(), exchange.getRequestURI().getPath());
            }
            for (Map.Entry<String, List<String>> header : response.headers().map().entrySet()) {
                String name = header.getKey().toLowerCase(Locale.ROOT);
                if (!HOP_BY_HOP.contains(name) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(header.getKey(), header.getValue());
                }
            }
            byte[] answer = response.body();
            boolean noBody = exchange.getRequestMethod().equals("HEAD") || answer.length == 0;
            exchange.sendResponseHeaders(response.statusCode(), noBody ? -1 : answer.length);
            if (!noBody) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the client went away, or a malformed exchange; nothing to answer
        }
    }

    private HttpRequest request(HttpExchange exchange, ClusterNode target, byte[] body) {
        URI original = exchange.getRequestURI();
        URI uri = URI.create("http://127.0.0.1:" + target.httpPort() + original.getRawPath()
                + (original.getRawQuery() == null ? "" : "?" + original.getRawQuery()));
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(180))
                .method(exchange.getRequestMethod(), body.length == 0
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(lower) && !lower.startsWith("x-forwarded-")) {
                values.forEach(value -> builder.header(name, value));
            }
        });
        builder.header("X-Forwarded-For", exchange.getRemoteAddress().getAddress().getHostAddress());
        builder.header("X-Forwarded-Proto", "http");
        builder.header("X-Forwarded-Host", "127.0.0.1:" + port());
        builder.header("X-Forwarded-Port", Integer.toString(port()));
        return builder.build();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
