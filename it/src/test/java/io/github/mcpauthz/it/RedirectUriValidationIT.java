package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.ClientRegistration;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpTestRealm;
import io.github.mcpauthz.it.support.RegistrationEvents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Redirect URIs an attacker could use to steal codes are refused at registration with RFC 7591
 * {@code invalid_redirect_uri}, nothing is created, and the refusal is recorded as a {@code CLIENT_REGISTER_ERROR}
 * event with the reason (only when the realm stores events). Each body is otherwise what the TypeScript SDK sends.
 */
@KeycloakIT
class RedirectUriValidationIT {

    private static McpTestRealm realm;

    @BeforeAll
    static void createRealm(KeycloakEnvironment keycloak) {
        realm = McpTestRealm.create(keycloak, "dcr-redirects").withoutAnonymousRateLimit();
    }

    @AfterAll
    static void deleteRealm() {
        McpTestRealm.close(realm);
    }

    static Stream<Named<Consumer<Map<String, Object>>>> badRedirects() {
        return Stream.of(
                redirect("wildcard", "https://x.example/*"),
                redirect("fragment", "https://a.example/cb#state"),
                redirect("user info", "https://u:p@a.example/cb"),
                redirect("javascript scheme", "javascript:alert(1)"),
                redirect("data scheme", "data:text/html,x"),
                redirect("file scheme", "file:///etc/passwd"),
                redirect("http on a public host", "http://evil.example/cb"),
                redirect("http on a host that merely starts like loopback", "http://127.0.0.1.evil.example/cb"),
                redirect("relative", "/cb"),
                redirect("malformed", "http://[bad"),
                redirect("https without a host", "https:///cb"),
                redirect("whitespace", "https://a.example/c b"),
                named("web application with a loopback redirect", metadata -> {
                    metadata.put("application_type", "web");
                    metadata.put("redirect_uris", List.of("http://127.0.0.1:4000/callback"));
                }),
                named("web application with a private-use scheme", metadata -> {
                    metadata.put("application_type", "web");
                    metadata.put("redirect_uris", List.of("cursor://anysphere.cursor-mcp/oauth/callback"));
                }),
                named("one good and one bad redirect", metadata ->
                        metadata.put("redirect_uris", List.of("http://127.0.0.1:4000/callback", "http://evil.example/cb"))),
                named("redirect_uris missing", metadata -> metadata.remove("redirect_uris")),
                named("redirect_uris empty", metadata -> metadata.put("redirect_uris", List.of())),
                named("bad post_logout_redirect_uris", metadata ->
                        metadata.put("post_logout_redirect_uris", List.of("https://x.example/*"))));
    }

    @ParameterizedTest
    @MethodSource("badRedirects")
    void refusedWithInvalidRedirectUriAndNothingCreated(Consumer<Map<String, Object>> change) {
        Map<String, Object> metadata = ClientRegistration.sdkMetadata("Redirect test", "http://127.0.0.1:4000/callback", null);
        change.accept(metadata);
        int before = realm.countClients();

        HttpResult result = realm.register(metadata);

        ClientRegistration.assertError(result, 400, "invalid_redirect_uri");
        assertEquals(before, realm.countClients(), () -> "a client was created: " + result.describe());
    }

    /** The realm stores events: the refusal shows as CLIENT_REGISTER_ERROR with the error and the description as reason. */
    @ParameterizedTest
    @MethodSource("badRedirects")
    void refusalIsRecordedAsAnEvent(Consumer<Map<String, Object>> change) {
        Map<String, Object> metadata = ClientRegistration.sdkMetadata("Redirect test", "http://127.0.0.1:4000/callback", null);
        change.accept(metadata);

        long sent = System.currentTimeMillis();
        HttpResult result = realm.register(metadata);

        ClientRegistration.assertError(result, 400, "invalid_redirect_uri");
        RegistrationEvents.awaitError(realm.admin(), realm.name(), sent, "invalid_redirect_uri",
                result.json().path("error_description").asText());
    }

    private static Named<Consumer<Map<String, Object>>> redirect(String name, String redirectUri) {
        return named(name + " (" + redirectUri + ")", metadata -> metadata.put("redirect_uris", List.of(redirectUri)));
    }

    private static Named<Consumer<Map<String, Object>>> named(String name, Consumer<Map<String, Object>> change) {
        return Named.of(name, change);
    }
}
