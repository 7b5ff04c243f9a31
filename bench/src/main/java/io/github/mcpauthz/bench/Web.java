package io.github.mcpauthz.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.CookieHandler;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

/** HTTP plumbing of the driver: only java.net.http, one client per simulated user (its own cookies). */
final class Web {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final SecureRandom RANDOM = new SecureRandom();

    private Web() {
    }

    /** A client without cookies (each request a stranger) or with a cookie jar (a browser with a Keycloak session). */
    static HttpClient client(boolean cookies) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10));
        if (cookies) {
            builder.cookieHandler(new LoopbackCookies());
        }
        return builder.build();
    }

    static HttpResponse<String> send(HttpClient client, HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new BenchException(request.method() + " " + request.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted", e);
        }
    }

    static HttpResponse<String> get(HttpClient client, String uri) {
        return send(client, HttpRequest.newBuilder(URI.create(uri)).timeout(TIMEOUT).GET().build());
    }

    static HttpResponse<String> postForm(HttpClient client, String uri, Map<String, String> form) {
        return send(client, HttpRequest.newBuilder(URI.create(uri)).timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(form))).build());
    }

    static HttpResponse<String> postJson(HttpClient client, String uri, String bearer, Object body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(uri)).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(write(body)));
        if (bearer != null) {
            builder.header("Authorization", "Bearer " + bearer);
        }
        return send(client, builder.build());
    }

    static String form(Map<String, String> fields) {
        StringJoiner joiner = new StringJoiner("&");
        fields.forEach((k, v) -> joiner.add(encode(k) + "=" + encode(v)));
        return joiner.toString();
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static String write(Object value) {
        if (value instanceof String text) {
            return text;
        }
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new BenchException("cannot write JSON", e);
        }
    }

    static JsonNode json(String body) {
        try {
            return JSON.readTree(body == null || body.isEmpty() ? "null" : body);
        } catch (IOException e) {
            throw new BenchException("not JSON: " + abbreviate(body), e);
        }
    }

    static JsonNode json(HttpResponse<String> response, int expected) {
        if (response.statusCode() != expected) {
            throw new BenchException(response.request().method() + " " + response.request().uri() + ": expected "
                    + expected + ", got " + response.statusCode() + " " + abbreviate(response.body()));
        }
        return json(response.body());
    }

    /** The query parameters of a redirect's Location. */
    static Map<String, String> query(String location) {
        Map<String, String> params = new LinkedHashMap<>();
        URI uri = URI.create(location);
        String raw = uri.getRawQuery();
        if (raw == null) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return params;
    }

    static Optional<String> location(HttpResponse<String> response) {
        return response.headers().firstValue("Location").map(l -> response.uri().resolve(l).toString());
    }

    /** The {@code aud} claim of a JWT as a set (a string or an array). */
    static Set<String> audience(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length < 2) {
            throw new BenchException("not a JWT: " + abbreviate(jwt));
        }
        JsonNode payload = json(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        Set<String> aud = new LinkedHashSet<>();
        JsonNode node = payload.path("aud");
        if (node.isArray()) {
            node.forEach(n -> aud.add(n.asText()));
        } else if (node.isTextual()) {
            aud.add(node.asText());
        }
        return aud;
    }

    static String randomToken(int bytes) {
        byte[] raw = new byte[bytes];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    static String s256(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String abbreviate(String text) {
        if (text == null) {
            return "(no body)";
        }
        String flat = text.replaceAll("\\s+", " ");
        return flat.length() > 400 ? flat.substring(0, 400) + "…" : flat;
    }

    /**
     * Keycloak marks its login cookies {@code Secure}; browsers send them to http://127.0.0.1 (a secure context),
     * java.net.CookieManager does not, so loopback http is looked up as if it were https.
     */
    private static final class LoopbackCookies extends CookieHandler {

        private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);

        @Override
        public Map<String, List<String>> get(URI uri, Map<String, List<String>> headers) throws IOException {
            return cookies.get(secure(uri), headers);
        }

        @Override
        public void put(URI uri, Map<String, List<String>> headers) throws IOException {
            cookies.put(uri, headers);
        }

        private static URI secure(URI uri) {
            if (!"http".equalsIgnoreCase(uri.getScheme())) {
                return uri;
            }
            try {
                return new URI("https", uri.getRawUserInfo(), uri.getHost(), uri.getPort(), uri.getRawPath(), null, null);
            } catch (URISyntaxException e) {
                return uri;
            }
        }
    }
}
