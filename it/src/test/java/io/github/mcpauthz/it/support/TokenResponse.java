package io.github.mcpauthz.it.support;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/** A token endpoint answer: status and the parsed JSON body. */
public record TokenResponse(HttpResult http) {

    public int status() {
        return http.status();
    }

    public JsonNode json() {
        return http.json();
    }

    public String accessToken() {
        return text("access_token");
    }

    public String refreshToken() {
        return text("refresh_token");
    }

    public String error() {
        return text("error");
    }

    public String errorDescription() {
        return text("error_description");
    }

    /** {@code aud} of the access token, as a list. */
    public List<String> audience() {
        return Jwt.audience(accessToken());
    }

    public JsonNode accessTokenClaims() {
        return Jwt.claims(accessToken());
    }

    public String describe() {
        return http.describe();
    }

    private String text(String field) {
        JsonNode value = json().get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    @Override
    public String toString() {
        return describe();
    }
}
