package io.github.mcpauthz.it.support;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.util.Optional;

/** Status, headers and body of one HTTP exchange, with the body parsed as JSON on demand. */
public record HttpResult(String method, URI uri, int status, HttpHeaders headers, String body) {

    static HttpResult of(String method, HttpResponse<String> response) {
        return new HttpResult(method, response.uri(), response.statusCode(), response.headers(), response.body());
    }

    public JsonNode json() {
        return Json.parse(body);
    }

    public Optional<String> header(String name) {
        return headers.firstValue(name);
    }

    /** For assertion messages: what was asked and what came back. */
    public String describe() {
        String shown = body == null ? "" : body.length() > 2000 ? body.substring(0, 2000) + "…" : body;
        return method + " " + uri + " -> " + status + " " + shown;
    }
}
