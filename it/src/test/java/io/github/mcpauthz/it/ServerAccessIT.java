package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.ConsentBrowser;
import io.github.mcpauthz.it.support.ConsentBrowser.Outcome;
import io.github.mcpauthz.it.support.Jwt;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.RealmJson;
import io.github.mcpauthz.it.support.TokenResponse;
import io.github.mcpauthz.it.support.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static io.github.mcpauthz.it.support.AdminApi.expect;
import static io.github.mcpauthz.it.support.ConsentAssertions.assertCode;
import static io.github.mcpauthz.it.support.ConsentAssertions.assertErrorRedirect;
import static io.github.mcpauthz.it.support.ConsentAssertions.assertInvalidGrant;
import static io.github.mcpauthz.it.support.ConsentAssertions.assertNothingShown;
import static io.github.mcpauthz.it.support.ConsentAssertions.assertTokenFor;
import static io.github.mcpauthz.it.support.ConsentAssertions.passiveRequest;
import static io.github.mcpauthz.it.support.ConsentAssertions.request;
import static io.github.mcpauthz.it.support.ConsentBrowser.Answer.ALLOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who may use which MCP server, and which roles its tokens carry ({@code access-rule}, {@code token-roles},
 * {@code roles-client-id}), through the browser flow of a dynamic client:
 * <ul>
 *   <li>a user the rule admits gets a token whose {@code roles} claim is exactly her roles of the server's client
 *       (never another server's client's), recomputed at refresh;</li>
 *   <li>a user it does not admit is sent back after login, and again on a silent SSO re-login, with
 *       {@code access_denied}, {@code state} and {@code iss} and no code, and a {@code LOGIN_ERROR} event;</li>
 *   <li>a user who loses the role gets {@code invalid_grant} at the next refresh, online and offline, with an event,
 *       and {@code access_denied} at the next authorization, {@code prompt=none} included;</li>
 *   <li>group rules count subgroups, client-role rules and realm roles in the claim; a server without settings is
 *       unchanged.</li>
 * </ul>
 */
@KeycloakIT
class ServerAccessIT {

    static final String ADMIN_SERVER = "https://admin.example.com/mcp";
    static final String GROUP_SERVER = "https://group.example.com/mcp";
    static final String CLIENT_ROLE_SERVER = "https://client-role.example.com/mcp";
    static final String OPEN_SERVER = "https://open.example.com/mcp";
    static final String OTHER_SERVER = "https://other.example.com/mcp";
    static final String SCOPES = "admin:read group:read client-role:read open:read other:read offline_access";

    /** mcp-admin, admin-api/reader, other-api/secret, member of /staff/eng. */
    static final User ADA = new User("ada", "ada-access");
    /** No roles or groups of her own. */
    static final User BOB = new User("bob", "bob-access");
    /** mcp-admin, which the test takes away. */
    static final User CAROL = new User("carol", "carol-access");
    /** auditor, admin-api/writer. */
    static final User DAVE = new User("dave", "dave-access");

    private static KeycloakEnvironment keycloak;
    private static String realm;
    private static String issuer;
    private static McpClient client;

    @BeforeAll
    static void createRealm(KeycloakEnvironment environment) {
        keycloak = environment;
        realm = RealmJson.uniqueName("server-access");
        issuer = keycloak.issuer(realm);
        Map<String, Object> json = RealmJson.mcpRealm(realm).events()
                .set("enabledEventTypes", List.of("LOGIN_ERROR", "REFRESH_TOKEN_ERROR", "CODE_TO_TOKEN_ERROR"))
                .set("roles", Map.of("realm", List.of(Map.of("name", "mcp-admin"), Map.of("name", "auditor")),
                        "client", Map.of("admin-api", List.of(Map.of("name", "reader"), Map.of("name", "writer")),
                                "other-api", List.of(Map.of("name", "secret")))))
                .set("clients", List.of(confidentialClient("admin-api"), confidentialClient("other-api")))
                .set("groups", List.of(Map.of("name", "staff", "subGroups", List.of(Map.of("name", "eng")))))
                .set("users", List.of(
                        user(ADA, List.of("mcp-admin"), Map.of("admin-api", List.of("reader"), "other-api", List.of("secret")),
                                List.of("/staff/eng")),
                        user(BOB, List.of(), Map.of(), List.of()),
                        user(CAROL, List.of("mcp-admin"), Map.of(), List.of()),
                        user(DAVE, List.of("auditor"), Map.of("admin-api", List.of("writer")), List.of())))
                .server("Admin MCP server", ADMIN_SERVER, List.of("admin:read"), Map.of(
                        "access-rule", List.of("mcp-admin"), "token-roles", List.of("server"),
                        "roles-client-id", List.of("admin-api")))
                .server("Group MCP server", GROUP_SERVER, List.of("group:read"), Map.of("access-rule", List.of("/staff")))
                .server("Client role MCP server", CLIENT_ROLE_SERVER, List.of("client-role:read"), Map.of(
                        "access-rule", List.of("admin-api/writer"), "token-roles", List.of("realm")))
                .server("Open MCP server", OPEN_SERVER, List.of("open:read"))
                // Roles from the token exchange client when no roles client is named.
                .server("Other MCP server", OTHER_SERVER, List.of("other:read"), Map.of(
                        "token-roles", List.of("server"), "exchange-client-id", List.of("other-api")))
                .build();
        keycloak.admin().createRealm(json);
        client = McpClient.registerDynamically(issuer, null, "server-access-it", SCOPES);
    }

    @AfterAll
    static void deleteRealm() {
        if (realm != null) {
            keycloak.admin().deleteRealm(realm);
        }
    }

    @Test
    void aUserTheRuleAdmitsGetsExactlyHerRolesOfTheServersClientAndNeverAnotherServersClients() {
        ConsentBrowser browser = new ConsentBrowser();
        Outcome outcome = browser.authorize(request(client, ADMIN_SERVER, "admin:read"), ADA, ALLOW);
        assertCode(outcome, issuer);
        TokenResponse tokens = client.exchange(outcome.response(), ADMIN_SERVER);
        assertTokenFor(tokens, client, ADMIN_SERVER, "admin:read");
        assertEquals(List.of("reader"), roles(tokens), tokens::describe);

        TokenResponse refreshed = client.refresh(tokens.refreshToken());
        assertTokenFor(refreshed, client, ADMIN_SERVER, "admin:read");
        assertEquals(List.of("reader"), roles(refreshed), refreshed::describe);

        // The other server takes its roles from its token exchange client: there she has "secret", and only that.
        Outcome other = browser.authorize(request(client, OTHER_SERVER, "other:read"), ADA, ALLOW);
        assertCode(other, issuer);
        TokenResponse otherTokens = client.exchange(other.response(), OTHER_SERVER);
        assertTokenFor(otherTokens, client, OTHER_SERVER, "other:read");
        assertEquals(List.of("secret"), roles(otherTokens), otherTokens::describe);
    }

    @Test
    void aUserTheRuleDoesNotAdmitIsSentBackWithAccessDeniedAfterLoginAndOnSsoReLogin() {
        ConsentBrowser browser = new ConsentBrowser();
        String bobId = keycloak.admin().userId(realm, BOB.username());

        Outcome denied = browser.authorize(request(client, ADMIN_SERVER, "admin:read"), BOB, ALLOW);
        assertErrorRedirect(denied, "access_denied", issuer);
        assertEquals("The user is not allowed to use the MCP server " + ADMIN_SERVER,
                denied.response().errorDescription(), denied::describe);
        assertTrue(denied.loginShown(), denied::describe);
        assertFalse(denied.consentShown(), denied::describe);

        JsonNode event = deniedEvent("LOGIN_ERROR", bobId, 1);
        assertEquals(client.clientId(), event.path("clientId").asText(), event::toString);
        assertEquals(ADMIN_SERVER, event.path("details").path("resource").asText(), event::toString);

        // As with "No" on the consent page at a first login, Keycloak has not created his SSO session. A server
        // without settings is unchanged for him: login, consent, a code, and no roles claim.
        Outcome open = browser.authorize(request(client, OPEN_SERVER, "open:read"), BOB, ALLOW);
        assertCode(open, issuer);
        assertTrue(open.loginShown(), open::describe);
        TokenResponse tokens = client.exchange(open.response(), OPEN_SERVER);
        assertTokenFor(tokens, client, OPEN_SERVER, "open:read");
        assertTrue(tokens.accessTokenClaims().path("roles").isMissingNode(), tokens.accessTokenClaims()::toString);

        // Signed in now: the next authorization for the restricted server is refused without a password prompt.
        Outcome again = browser.authorize(request(client, ADMIN_SERVER, "admin:read"), BOB, ALLOW);
        assertErrorRedirect(again, "access_denied", issuer);
        assertNothingShown(again);
        deniedEvent("LOGIN_ERROR", bobId, 2);
    }

    @Test
    void losingTheRoleRefusesTheNextRefreshOnlineAndOffline() {
        ConsentBrowser browser = new ConsentBrowser();
        Outcome online = browser.authorize(request(client, ADMIN_SERVER, "admin:read"), CAROL, ALLOW);
        assertCode(online, issuer);
        TokenResponse onlineTokens = client.exchange(online.response(), ADMIN_SERVER);
        assertTokenFor(onlineTokens, client, ADMIN_SERVER, "admin:read");
        assertEquals(List.of(), roles(onlineTokens), "carol has no admin-api roles: " + onlineTokens.describe());
        Outcome offline = browser.authorize(request(client, ADMIN_SERVER, "admin:read offline_access"), CAROL, ALLOW);
        assertCode(offline, issuer);
        TokenResponse offlineTokens = client.exchange(offline.response(), ADMIN_SERVER);
        assertEquals(200, offlineTokens.status(), offlineTokens::describe);
        assertEquals("Offline", Jwt.claim(offlineTokens.refreshToken(), "typ"), offlineTokens::describe);
        TokenResponse stillAllowed = client.refresh(onlineTokens.refreshToken());
        assertTokenFor(stillAllowed, client, ADMIN_SERVER, "admin:read");

        String carolId = keycloak.admin().userId(realm, CAROL.username());
        JsonNode role = expect(keycloak.admin().get("/admin/realms/" + realm + "/roles/mcp-admin"), 200).json();
        expect(keycloak.admin().delete("/admin/realms/" + realm + "/users/" + carolId + "/role-mappings/realm",
                List.of(Map.of("id", role.path("id").asText(), "name", "mcp-admin"))), 204);

        String description = "The user is not allowed to use the MCP server " + ADMIN_SERVER;
        TokenResponse refused = client.refresh(stillAllowed.refreshToken());
        assertInvalidGrant(refused);
        assertEquals(description, refused.errorDescription(), refused::describe);
        TokenResponse offlineRefused = client.refresh(offlineTokens.refreshToken(), ADMIN_SERVER);
        assertInvalidGrant(offlineRefused);
        assertEquals(description, offlineRefused.errorDescription(), offlineRefused::describe);
        JsonNode event = deniedEvent("REFRESH_TOKEN_ERROR", carolId, 2);
        assertEquals(ADMIN_SERVER, event.path("details").path("resource").asText(), event::toString);

        // And the next authorization ends with access_denied, without a password prompt; prompt=none too (she has
        // consented to the client for this server, so this is not consent_required).
        Outcome after = browser.authorize(request(client, ADMIN_SERVER, "admin:read"), CAROL, ALLOW);
        assertErrorRedirect(after, "access_denied", issuer);
        assertNothingShown(after);
        Outcome passive = browser.authorize(passiveRequest(client, ADMIN_SERVER, "admin:read"), CAROL, ALLOW);
        assertErrorRedirect(passive, "access_denied", issuer);
        assertEquals(description, passive.response().errorDescription(), passive::describe);
        assertNothingShown(passive);
        deniedEvent("LOGIN_ERROR", carolId, 2);
    }

    @Test
    void aGroupRuleAdmitsMembersOfItsSubgroups() {
        Outcome member = new ConsentBrowser().authorize(request(client, GROUP_SERVER, "group:read"), ADA, ALLOW);
        assertCode(member, issuer);
        TokenResponse tokens = client.exchange(member.response(), GROUP_SERVER);
        assertTokenFor(tokens, client, GROUP_SERVER, "group:read");
        assertTrue(tokens.accessTokenClaims().path("roles").isMissingNode(), "token-roles none: no claim");

        Outcome outsider = new ConsentBrowser().authorize(request(client, GROUP_SERVER, "group:read"), DAVE, ALLOW);
        assertErrorRedirect(outsider, "access_denied", issuer);
        assertEquals("The user is not allowed to use the MCP server " + GROUP_SERVER,
                outsider.response().errorDescription());
    }

    @Test
    void aClientRoleRuleAdmitsHoldersOfThatClientRoleAndRealmRolesGoInTheClaim() {
        Outcome holder = new ConsentBrowser().authorize(request(client, CLIENT_ROLE_SERVER, "client-role:read"), DAVE,
                ALLOW);
        assertCode(holder, issuer);
        TokenResponse tokens = client.exchange(holder.response(), CLIENT_ROLE_SERVER);
        assertTokenFor(tokens, client, CLIENT_ROLE_SERVER, "client-role:read");
        // Exactly his effective realm roles (composites expanded), as the admin API computes them; no client roles.
        String daveId = keycloak.admin().userId(realm, DAVE.username());
        List<String> effective = new ArrayList<>();
        expect(keycloak.admin().get("/admin/realms/" + realm + "/users/" + daveId + "/role-mappings/realm/composite"),
                200).json().forEach(role -> effective.add(role.path("name").asText()));
        assertEquals(List.copyOf(new TreeSet<>(effective)), roles(tokens), tokens::describe);
        assertFalse(roles(tokens).contains("writer"), tokens::describe);
        assertTrue(roles(tokens).contains("auditor"), tokens::describe);

        // ada has admin-api/reader and the realm role mcp-admin, but not admin-api/writer.
        Outcome other = new ConsentBrowser().authorize(request(client, CLIENT_ROLE_SERVER, "client-role:read"), ADA,
                ALLOW);
        assertErrorRedirect(other, "access_denied", issuer);
        assertNull(other.response().code());
    }

    /** The claim as a list; fails when it is missing or not an array of strings. */
    private static List<String> roles(TokenResponse tokens) {
        JsonNode claim = tokens.accessTokenClaims().path("roles");
        assertTrue(claim.isArray(), () -> "no roles array: " + tokens.accessTokenClaims());
        List<String> out = new ArrayList<>();
        claim.forEach(role -> {
            assertTrue(role.isTextual(), claim::toString);
            out.add(role.asText());
        });
        return out;
    }

    /** Asserts the user's {@code mcp_server_access_denied} events of that type number {@code count}; the newest. */
    private static JsonNode deniedEvent(String type, String userId, int count) {
        List<JsonNode> found = new ArrayList<>();
        keycloak.admin().events(realm, type).forEach(event -> {
            if (userId.equals(event.path("userId").asText()) && "mcp_server_access_denied".equals(event.path("error").asText())) {
                found.add(event);
            }
        });
        assertEquals(count, found.size(), found::toString);
        return found.get(0);
    }

    private static Map<String, Object> confidentialClient(String clientId) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("clientId", clientId);
        json.put("enabled", true);
        json.put("publicClient", false);
        json.put("secret", clientId + "-secret");
        json.put("standardFlowEnabled", false);
        return json;
    }

    private static Map<String, Object> user(User user, List<String> realmRoles, Map<String, List<String>> clientRoles,
                                            List<String> groups) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("username", user.username());
        json.put("email", user.username() + "@example.com");
        json.put("emailVerified", true);
        json.put("firstName", user.username());
        json.put("lastName", "Test");
        json.put("enabled", true);
        json.put("credentials", List.of(Map.of("type", "password", "value", user.password(), "temporary", false)));
        // An imported user with realmRoles gets exactly those: the realm's default roles (offline_access, ...) too.
        List<String> roles = new ArrayList<>(realmRoles);
        roles.add("default-roles-" + realm);
        json.put("realmRoles", roles);
        json.put("clientRoles", clientRoles);
        json.put("groups", groups);
        return json;
    }
}
