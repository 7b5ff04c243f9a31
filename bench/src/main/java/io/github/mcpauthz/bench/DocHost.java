package io.github.mcpauthz.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The local host of client ID metadata documents: HTTPS on 127.0.0.1 with the self-signed certificate run.sh made
 * (bench/target/tls, passed to both Keycloaks with --truststore-paths). Every path {@code /c/<name>.json} answers a
 * public-client document whose {@code client_id} is its own URL; hits are counted per path.
 */
final class DocHost implements AutoCloseable {

    private final HttpsServer server;
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

    DocHost(Path keyStore) {
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keyStore)) {
                keys.load(in, "changeit".toCharArray());
            }
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(keys, "changeit".toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(factory.getKeyManagers(), null, null);
            server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 200);
            server.setHttpsConfigurator(new HttpsConfigurator(context));
            server.createContext("/", this::handle);
            server.setExecutor(Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "doc-host");
                t.setDaemon(true);
                return t;
            }));
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the document host", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load " + keyStore, e);
        }
    }

    /** {@code https://localhost:<port>/c/<name>.json}. */
    String url(String name) {
        return "https://localhost:" + server.getAddress().getPort() + "/c/" + name + ".json";
    }

    int hits(String url) {
        AtomicInteger count = hits.get(java.net.URI.create(url).getPath());
        return count == null ? 0 : count.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!path.startsWith("/c/") || !path.endsWith(".json")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("client_id", "https://localhost:" + server.getAddress().getPort() + path);
            document.put("client_name", "Benchmark CIMD client");
            document.put("redirect_uris", List.of(BenchRealm.REDIRECT));
            document.put("grant_types", List.of("authorization_code", "refresh_token"));
            document.put("response_types", List.of("code"));
            document.put("token_endpoint_auth_method", "none");
            byte[] body = Web.write(document).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().set("Cache-Control", "max-age=3600");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
