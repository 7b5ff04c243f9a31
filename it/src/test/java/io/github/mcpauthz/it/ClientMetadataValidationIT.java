package io.github.mcpauthz.it;

import io.github.mcpauthz.it.support.ClientKey;
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
 * Client metadata that would weaken an MCP client or is not what it claims to be is refused at registration with
 * RFC 7591 {@code invalid_client_metadata}, nothing is created, and the refusal is recorded as a
 * {@code CLIENT_REGISTER_ERROR} event with the reason. Each body is otherwise what the TypeScript SDK sends.
 */
@KeycloakIT
class ClientMetadataValidationIT {

    private static McpTestRealm realm;

    @BeforeAll
    static void createRealm(KeycloakEnvironment keycloak) {
        realm = McpTestRealm.create(keycloak, "dcr-metadata").withoutAnonymousRateLimit();
    }

    @AfterAll
    static void deleteRealm() {
        McpTestRealm.close(realm);
    }

    static Stream<Named<Consumer<Map<String, Object>>>> badMetadata() {
        return Stream.of(
                set("grant type implicit", "grant_types", List.of("authorization_code", "implicit")),
                set("grant type password", "grant_types", List.of("authorization_code", "password")),
                set("grant type client_credentials", "grant_types", List.of("client_credentials")),
                set("grant types without authorization_code", "grant_types", List.of("refresh_token")),
                set("response type token", "response_types", List.of("token")),
                set("auth method client_secret_jwt", "token_endpoint_auth_method", "client_secret_jwt"),
                set("unknown auth method", "token_endpoint_auth_method", "tls_client_auth"),
                named("private_key_jwt without keys", metadata -> {
                    metadata.put("token_endpoint_auth_method", "private_key_jwt");
                    metadata.put("application_type", "web");
                    metadata.put("redirect_uris", List.of("https://app.example.com/cb"));
                }),
                named("both jwks and jwks_uri", metadata -> {
                    metadata.put("token_endpoint_auth_method", "private_key_jwt");
                    metadata.put("application_type", "web");
                    metadata.put("redirect_uris", List.of("https://app.example.com/cb"));
                    metadata.put("jwks", ClientKey.generateRsa().jwks());
                    metadata.put("jwks_uri", "https://app.example.com/jwks.json");
                }),
                set("unknown resource", "resource", "https://unknown.example.com/mcp"),
                set("malformed resource", "resource", "/mcp"),
                set("client_secret chosen by the client", "client_secret", "my-own-secret"),
                set("client_name with control characters", "client_name", "Good app\u0007\nEvil"),
                set("client_name with a bidi override", "client_name", "Safe \u202Eppa liamE"),
                set("client_name of 201 characters", "client_name", "n".repeat(201)),
                set("blank client_name", "client_name", "   "),
                set("software_id of 201 characters", "software_id", "s".repeat(201)),
                set("logo_uri over http", "logo_uri", "http://app.example.com/logo.png"),
                set("policy_uri with a script", "policy_uri", "javascript:alert(1)"),
                set("unknown application_type", "application_type", "desktop"),
                set("redirect_uris as a string", "redirect_uris", "http://127.0.0.1:4000/callback"),
                set("grant_types as a string", "grant_types", "authorization_code"),
                set("client_name as a number", "client_name", 42),
                set("scope with an invalid scope name", "scope", "files:read \"quoted\""));
    }

    @ParameterizedTest
    @MethodSource("badMetadata")
    void refusedWithInvalidClientMetadataAndNothingCreated(Consumer<Map<String, Object>> change) {
        Map<String, Object> metadata = ClientRegistration.sdkMetadata("Metadata test", "http://127.0.0.1:4000/callback", null);
        change.accept(metadata);
        int before = realm.countClients();

        HttpResult result = realm.register(metadata);

        ClientRegistration.assertError(result, 400, "invalid_client_metadata");
        assertEquals(before, realm.countClients(), () -> "a client was created: " + result.describe());
    }

    /** The realm stores events: the refusal shows as CLIENT_REGISTER_ERROR with the error and the description as reason. */
    @ParameterizedTest
    @MethodSource("badMetadata")
    void refusalIsRecordedAsAnEvent(Consumer<Map<String, Object>> change) {
        Map<String, Object> metadata = ClientRegistration.sdkMetadata("Metadata test", "http://127.0.0.1:4000/callback", null);
        change.accept(metadata);

        long sent = System.currentTimeMillis();
        HttpResult result = realm.register(metadata);

        ClientRegistration.assertError(result, 400, "invalid_client_metadata");
        RegistrationEvents.awaitError(realm.admin(), realm.name(), sent, "invalid_client_metadata",
                result.json().path("error_description").asText());
    }

    /** The longest name and software fields still allowed, as a control for the limits above. */
    @ParameterizedTest
    @MethodSource("longestAllowed")
    void fieldsAtTheLengthLimitAreAccepted(Consumer<Map<String, Object>> change) {
        Map<String, Object> metadata = ClientRegistration.sdkMetadata("Metadata test", "http://127.0.0.1:4000/callback", null);
        change.accept(metadata);

        HttpResult result = realm.register(metadata);

        assertEquals(201, result.status(), result::describe);
    }

    static Stream<Named<Consumer<Map<String, Object>>>> longestAllowed() {
        return Stream.of(
                set("client_name of 200 characters", "client_name", "n".repeat(200)),
                set("software_id of 200 characters", "software_id", "s".repeat(200)),
                set("logo_uri over https", "logo_uri", "https://app.example.com/logo.png"));
    }

    private static Named<Consumer<Map<String, Object>>> set(String name, String field, Object value) {
        return named(name, metadata -> metadata.put(field, value));
    }

    private static Named<Consumer<Map<String, Object>>> named(String name, Consumer<Map<String, Object>> change) {
        return Named.of(name, change);
    }
}
