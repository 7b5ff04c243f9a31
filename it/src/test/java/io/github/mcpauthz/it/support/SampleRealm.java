package io.github.mcpauthz.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** What realm-exports/mcp-realm.json contains, as far as the tests rely on it. */
public final class SampleRealm {

    public static final String NAME = KeycloakEnvironment.REALM;

    /** "Demo MCP server", scopes mcp:tools, mcp:resources and mcp:write (DCR clients here ask for the first two). */
    public static final String DEMO_SERVER = "http://localhost:3001/mcp";
    public static final String DEMO_SCOPES = "mcp:tools mcp:resources";

    /** "Weather MCP server", scope weather:read. */
    public static final String WEATHER_SERVER = "https://weather.example.com/mcp";
    public static final String WEATHER_SCOPES = "weather:read";

    public static final List<String> REGISTERED_SERVERS = List.of(DEMO_SERVER, WEATHER_SERVER);

    /** Every MCP scope of the realm, as a DCR client asks for them. */
    public static final String ALL_MCP_SCOPES = DEMO_SCOPES + " " + WEATHER_SCOPES;

    /** Token exchange: the demo server's exchange client, its secret, and the one audience it may exchange for. */
    public static final String DEMO_SERVER_CLIENT = "demo-mcp-server";
    public static final String DEMO_SERVER_SECRET = "demo-mcp-server-secret";
    public static final String DOWNSTREAM_API = "demo-downstream-api";

    /** Enterprise-managed authorization: the client that redeems ID-JAGs, and the identity provider it may use. */
    public static final String AGENT = "demo-agent";
    public static final String AGENT_SECRET = "demo-agent-secret";
    public static final String ENTERPRISE_IDP_ALIAS = "enterprise-idp";
    /** The enterprise IdP's issuer as the sample realm trusts it (the realm {@code enterprise} at port 8080). */
    public static final String ENTERPRISE_ISSUER = "http://localhost:8080/realms/enterprise";

    /** realm-exports/enterprise-realm.json: the demo enterprise IdP (realm, its user alice, its signing key). */
    public static final String ENTERPRISE_REALM = "enterprise";
    public static final String ENTERPRISE_ALICE_ID = "5c3f0a1e-8d2b-4f6a-9e71-2b4d6c8a0f13";

    private SampleRealm() {
    }

    /**
     * Copies the sample realm file for a Keycloak version. Before 26.7 (26.4, 26.5) Keycloak has no
     * identity provider of type {@code jwt-authorization-grant} by default (26.4 none at all, 26.5 only as a preview
     * feature), and a realm file naming one does not import; there the copy leaves out the identity providers and the
     * users' links to them, which only the ID-JAG demo uses. Elsewhere the file is copied unchanged.
     */
    public static void copyForVersion(Path realmFile, Path target, String keycloakVersion) throws IOException {
        if (KeycloakVersions.atLeast(keycloakVersion, KeycloakVersions.ALL_CAPABILITIES_SINCE)) {
            Files.copy(realmFile, target, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        ObjectNode realm = (ObjectNode) Json.parse(Files.readString(realmFile));
        realm.remove("identityProviders");
        for (JsonNode user : realm.path("users")) {
            ((ObjectNode) user).remove("federatedIdentities");
        }
        Files.writeString(target, Json.write(realm));
    }
}
