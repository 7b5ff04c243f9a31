package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.ConsentBrowser;
import io.github.mcpauthz.it.support.ConsentBrowser.Outcome;
import io.github.mcpauthz.it.support.ConsentRealm;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.github.mcpauthz.it.support.ConsentAssertions.CLIENT_ITEM;
import static io.github.mcpauthz.it.support.ConsentAssertions.DEMO_TOOLS_ITEM;
import static io.github.mcpauthz.it.support.ConsentAssertions.assertCode;
import static io.github.mcpauthz.it.support.ConsentAssertions.assertConsentPage;
import static io.github.mcpauthz.it.support.ConsentAssertions.assertErrorRedirect;
import static io.github.mcpauthz.it.support.ConsentAssertions.assertNothingShown;
import static io.github.mcpauthz.it.support.ConsentAssertions.assertTokenFor;
import static io.github.mcpauthz.it.support.ConsentAssertions.passiveRequest;
import static io.github.mcpauthz.it.support.ConsentAssertions.request;
import static io.github.mcpauthz.it.support.ConsentBrowser.Answer.ALLOW;
import static io.github.mcpauthz.it.support.User.ALICE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Consent is given to a client for an MCP server at a resource URI. When an admin changes the server's resource, the
 * server's grant is rotated: consents given for the old URI no longer count, so users are asked again (and
 * {@code prompt=none} is {@code consent_required}). Renaming the server, or respelling the same URI, keeps them.
 */
@KeycloakIT
class ServerResourceChangeIT {

    private static AdminApi admin;
    private static ConsentRealm realm;
    private static String aliceId;

    @BeforeAll
    static void createRealm(KeycloakEnvironment keycloak) {
        admin = keycloak.admin();
        realm = ConsentRealm.createLikeSample(keycloak, "resource-change");
        aliceId = realm.userId(ALICE.username());
    }

    @AfterAll
    static void deleteRealm() {
        ConsentRealm.deleteIfCreated(realm);
    }

    @Test
    void changingTheResourceAsksForConsentAgain() {
        String before = "https://moving-one.example.com/mcp";
        String after = "https://moving-two.example.com/mcp";
        String serverId = register(before, "Moving MCP server");
        String grantName = "mcp-server:" + serverId;
        McpClient client = realm.registerAnonymously("resource-change-it");
        ConsentBrowser browser = new ConsentBrowser();
        Outcome first = browser.authorize(request(client, before, "mcp:tools"), ALICE, ALLOW);
        assertCode(first, realm.issuer());
        assertConsentPage(first, "Moving MCP server (" + before + ")", DEMO_TOOLS_ITEM, CLIENT_ITEM);
        assertCode(browser.authorize(passiveRequest(client, before, "mcp:tools"), ALICE, ALLOW), realm.issuer());
        String grantBefore = realm.clientScope(grantName).path("id").asText();

        AdminApi.expect(admin.updateServer(realm.name(), serverId, Map.of("resource", after)), 200);

        // The consent no longer holds a grant for the server: prompt=none is refused, the user is asked again.
        assertEquals(Set.of("mcp:tools", client.clientId()), realm.grantedScopes(aliceId, client.clientId()));
        Outcome passive = browser.authorize(passiveRequest(client, after, "mcp:tools"), ALICE, ALLOW);
        assertErrorRedirect(passive, "consent_required", realm.issuer());
        assertEquals("The user has not consented to this client for " + after,
                passive.response().errorDescription(), passive::describe);
        assertNothingShown(passive);

        Outcome again = browser.authorize(request(client, after, "mcp:tools"), ALICE, ALLOW);
        assertCode(again, realm.issuer());
        assertConsentPage(again, "Moving MCP server (" + after + ")");
        assertTokenFor(client.exchange(again.response(), after), client, after, "mcp:tools");
        assertEquals(Set.of(grantName, "mcp:tools", client.clientId()), realm.grantedScopes(aliceId, client.clientId()));
        JsonNode grant = realm.clientScope(grantName);
        assertNotEquals(grantBefore, grant.path("id").asText(), grant::toString);
        assertEquals(after, grant.path("attributes").path("mcp.server.resource").asText(), grant::toString);
        Outcome passiveAgain = browser.authorize(passiveRequest(client, after, "mcp:tools"), ALICE, ALLOW);
        assertCode(passiveAgain, realm.issuer());
        assertNothingShown(passiveAgain);
    }

    @Test
    void renamingTheServerOrRespellingItsResourceKeepsTheConsent() {
        String resource = "https://staying.example.com/mcp";
        String serverId = register(resource, "Staying MCP server");
        String grantName = "mcp-server:" + serverId;
        McpClient client = realm.registerAnonymously("resource-same-it");
        ConsentBrowser browser = new ConsentBrowser();
        assertCode(browser.authorize(request(client, resource, "mcp:tools"), ALICE, ALLOW), realm.issuer());
        String grantBefore = realm.clientScope(grantName).path("id").asText();

        AdminApi.expect(admin.updateServer(realm.name(), serverId,
                Map.of("name", "Renamed MCP server", "resource", "HTTPS://STAYING.example.com:443/mcp/")), 200);

        Outcome passive = browser.authorize(passiveRequest(client, resource, "mcp:tools"), ALICE, ALLOW);
        assertCode(passive, realm.issuer());
        assertNothingShown(passive);
        JsonNode grant = realm.clientScope(grantName);
        assertEquals(grantBefore, grant.path("id").asText(), grant::toString);
        assertEquals("Renamed MCP server (https://staying.example.com/mcp/)",
                grant.path("attributes").path("consent.screen.text").asText(), grant::toString);
        assertEquals(Set.of(grantName, "mcp:tools", client.clientId()), realm.grantedScopes(aliceId, client.clientId()));
    }

    @Test
    void deletingTheServerRemovesItsGrant() {
        String resource = "https://leaving.example.com/mcp";
        String serverId = register(resource, "Leaving MCP server");
        // Made by the first consent asked for the server, not at registration.
        assertNull(realm.clientScope("mcp-server:" + serverId));
        McpClient client = realm.registerAnonymously("resource-delete-it");
        assertCode(new ConsentBrowser().authorize(request(client, resource, "mcp:tools"), ALICE, ALLOW), realm.issuer());
        assertNotNull(realm.clientScope("mcp-server:" + serverId));

        AdminApi.expect(admin.deleteServer(realm.name(), serverId), 204);

        assertNull(realm.clientScope("mcp-server:" + serverId));
    }

    private static String register(String resource, String name) {
        return AdminApi.expect(admin.registerServer(realm.name(), resource, name, List.of("mcp:tools"), false), 201)
                .json().path("id").asText();
    }
}
