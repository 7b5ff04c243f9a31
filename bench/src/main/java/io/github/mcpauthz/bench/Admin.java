package io.github.mcpauthz.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Keycloak's admin REST API as the bootstrap admin (master realm, admin-cli), with a fresh token when needed. */
final class Admin {

    private final String baseUrl;
    private final String user;
    private final String password;
    private final HttpClient http = Web.client(false);
    private String token;
    private long tokenExpires;

    Admin(String baseUrl, String user, String password) {
        this.baseUrl = baseUrl;
        this.user = user;
        this.password = password;
    }

    private synchronized String token() {
        if (token == null || System.nanoTime() > tokenExpires) {
            JsonNode answer = Web.json(Web.postForm(http, baseUrl + "/realms/master/protocol/openid-connect/token",
                    Map.of("grant_type", "password", "client_id", "admin-cli", "username", user, "password", password)), 200);
            token = answer.path("access_token").asText();
            long lifetime = Math.max(10, answer.path("expires_in").asLong(60) - 15);
            tokenExpires = System.nanoTime() + Duration.ofSeconds(lifetime).toNanos();
        }
        return token;
    }

    HttpResponse<String> call(String method, String path, Object body, Duration timeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout)
                .header("Authorization", "Bearer " + token());
        if (body != null) {
            builder.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(Web.write(body)));
        } else {
            builder.method(method, method.equals("POST") || method.equals("PUT")
                    ? HttpRequest.BodyPublishers.ofString("") : HttpRequest.BodyPublishers.noBody());
        }
        return Web.send(http, builder.build());
    }

    JsonNode get(String path) {
        return Web.json(call("GET", path, null, Web.TIMEOUT), 200);
    }

    HttpResponse<String> post(String path, Object body) {
        return call("POST", path, body, Web.TIMEOUT);
    }

    HttpResponse<String> put(String path, Object body) {
        return call("PUT", path, body, Web.TIMEOUT);
    }

    HttpResponse<String> delete(String path) {
        return call("DELETE", path, null, Web.TIMEOUT);
    }

    /** Fails unless the answer has one of {@code statuses}. */
    static HttpResponse<String> expect(HttpResponse<String> response, int... statuses) {
        for (int status : statuses) {
            if (response.statusCode() == status) {
                return response;
            }
        }
        throw new BenchException(response.request().method() + " " + response.request().uri() + ": got "
                + response.statusCode() + " " + Web.abbreviate(response.body()));
    }
}
