package io.github.mcpauthz.it.support;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Reads JWT payloads. No signature check: the tests only look at what Keycloak put in. */
public final class Jwt {

    private Jwt() {
    }

    public static JsonNode claims(String token) {
        if (token == null) {
            throw new AssertionError("no token");
        }
        String[] parts = token.split("\\.");
        if (parts.length < 2) {
            throw new AssertionError("not a JWT: " + token);
        }
        return Json.parse(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    }

    /** {@code aud} as a list: Keycloak writes a single audience as a string, several as an array, none as absent. */
    public static List<String> audience(String token) {
        return audience(claims(token));
    }

    public static List<String> audience(JsonNode claims) {
        JsonNode aud = claims.path("aud");
        List<String> result = new ArrayList<>();
        if (aud.isTextual()) {
            result.add(aud.asText());
        } else if (aud.isArray()) {
            aud.forEach(value -> result.add(value.asText()));
        }
        return result;
    }

    /** A string claim, or null when absent. */
    public static String claim(String token, String name) {
        JsonNode value = claims(token).get(name);
        return value == null || value.isNull() ? null : value.asText();
    }
}
