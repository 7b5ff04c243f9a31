package io.github.mcpauthz.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** Plain java.net.http calls as a non-browser client makes them: no cookies, no redirects followed. */
public final class Http {

    /** Per request; {@code -Dit.http.timeout=<seconds>} raises it (the cluster run on a busy machine). */
    static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("it.http.timeout", 30));

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private Http() {
    }

    public static HttpResult get(String uri, String bearer) {
        return send(request(uri, bearer).GET().build());
    }

    public static HttpResult delete(String uri, String bearer) {
        return send(request(uri, bearer).DELETE().build());
    }

    /** DELETE with a JSON body (Keycloak's role-mapping removal takes the roles in the body). */
    public static HttpResult deleteJson(String uri, String bearer, Object body) {
        return send(request(uri, bearer)
                .header("Content-Type", "application/json")
                .method("DELETE", HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : Json.write(body)))
                .build());
    }

    public static HttpResult postJson(String uri, String bearer, Object body) {
        return send(request(uri, bearer)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : Json.write(body)))
                .build());
    }

    public static HttpResult putJson(String uri, String bearer, Object body) {
        return send(request(uri, bearer)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : Json.write(body)))
                .build());
    }

    /** Form post; every value of a key is sent, in order, so a test can repeat a parameter. */
    public static HttpResult postForm(String uri, Map<String, List<String>> form) {
        return postForm(uri, form, Map.of());
    }

    /** {@link #postForm(String, Map)} with extra request headers (e.g. {@code Authorization: Basic ...}). */
    public static HttpResult postForm(String uri, Map<String, List<String>> form, Map<String, String> headers) {
        HttpRequest.Builder builder = request(uri, null)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(formEncode(form)));
        headers.forEach(builder::header);
        return send(builder.build());
    }

    public static String formEncode(Map<String, List<String>> params) {
        StringJoiner joiner = new StringJoiner("&");
        params.forEach((name, values) -> values.forEach(value ->
                joiner.add(encode(name) + "=" + encode(value))));
        return joiner.toString();
    }

    public static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static HttpResult send(HttpClient client, HttpRequest request) {
        try {
            return HttpResult.of(request.method(), client.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static HttpResult send(HttpRequest request) {
        return send(CLIENT, request);
    }

    private static HttpRequest.Builder request(String uri, String bearer) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(uri))
                .timeout(TIMEOUT)
                .header("Accept", "application/json");
        if (bearer != null) {
            builder.header("Authorization", "Bearer " + bearer);
        }
        return builder;
    }
}
