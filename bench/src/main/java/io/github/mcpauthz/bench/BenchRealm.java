package io.github.mcpauthz.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark realm on one side, with {@code servers} MCP servers of two scopes each, set up so that both sides
 * issue the same token shape ({@code aud} = the target server's URI):
 *
 * <ul>
 *   <li>stock: per server the client scopes {@code s<i>:read}, {@code s<i>:write} and {@code aud-<i>} (an
 *       {@code oidc-audience-mapper} with {@code included.custom.audience} = the server URI, not in the token scope),
 *       all realm optional client scopes, imported in one realm JSON; a client asks for {@code scope=openid aud-<i>};</li>
 *   <li>jar: the servers as {@code mcp-servers} components in one realm JSON, then {@code mcp-authz/enable}; a client
 *       asks for {@code scope=openid} and {@code resource=<uri>}.</li>
 * </ul>
 *
 * <p>Both: user {@value #USER}, {@code sslRequired=none}, the {@code roles} scope removed from the realm's default
 * scopes (else {@code aud} would also name {@code account}), anonymous registration open to 127.0.0.1 without a
 * client cap (stock: Trusted Hosts and Max Clients removed; jar: the MCP limits set to 0), and the admin-made public
 * client {@value #ADMIN_CLIENT}, created over REST after the servers exist.
 */
final class BenchRealm {

    static final String USER = "bench";
    static final String PASSWORD = "bench-password";
    static final String ADMIN_CLIENT = "bench-app";
    static final String REDIRECT = "http://127.0.0.1:7777/callback";
    private static final String POLICY_TYPE = "org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy";
    private static final String SERVER_TYPE = "org.keycloak.services.ui.extend.UiPageProvider";

    final Keycloak kc;
    final String name;
    final int servers;
    /** The 1-based index of the server the load asks for: the middle one. */
    final int target;
    final Setup setup = new Setup();

    /** Set-up figures of this realm on this side. */
    static final class Setup {
        double importSeconds = Double.NaN;
        double enableSeconds = Double.NaN;
        double addOneSeconds = Double.NaN;
        double addOneComponentSeconds = Double.NaN;
        int optionalScopesOfNewClient = -1;
        String status = "not started";
    }

    BenchRealm(Keycloak kc, String name, int servers) {
        this.kc = kc;
        this.name = name;
        this.servers = servers;
        this.target = Math.max(1, (servers + 1) / 2);
    }

    static String serverUri(int i) {
        return "https://mcp" + i + ".bench.example/mcp";
    }

    String targetUri() {
        return serverUri(target);
    }

    String issuer() {
        return kc.issuer(name);
    }

    Side side() {
        return kc.side;
    }

    // --- set-up ----------------------------------------------------------------------------------------------------

    /** Creates the realm; each step is bounded by what is left of {@code timeout}. Fills {@link #setup}. */
    BenchRealm create(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Admin admin = kc.admin();
        setup.status = "importing";
        if (side() == Side.STOCK) {
            createStock(admin, deadline);
        } else {
            createJar(admin, deadline);
        }
        setup.status = "configuring";
        removeDefaultScope(admin, "roles");
        openAnonymousRegistration(admin);
        JsonNode created = createAdminClient(admin);
        setup.optionalScopesOfNewClient = admin.get("/admin/realms/" + name + "/clients/" + created.path("id").asText()
                + "/optional-client-scopes").size();
        setup.status = "ok";
        return this;
    }

    private Map<String, Object> baseRepresentation() {
        Map<String, Object> realm = new LinkedHashMap<>();
        realm.put("realm", name);
        realm.put("enabled", true);
        realm.put("sslRequired", "none");
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("username", USER);
        user.put("email", USER + "@bench.example");
        user.put("emailVerified", true);
        user.put("firstName", "Bench");
        user.put("lastName", "User");
        user.put("enabled", true);
        user.put("credentials", List.of(Map.of("type", "password", "value", PASSWORD, "temporary", false)));
        realm.put("users", List.of(user));
        return realm;
    }

    private void createJar(Admin admin, long deadline) {
        Map<String, Object> realm = baseRepresentation();
        realm.put("attributes", Map.of("mcp.enabled", "false"));
        List<Object> components = new ArrayList<>();
        for (int i = 1; i <= servers; i++) {
            components.add(Map.of("name", "Server " + i, "providerId", "mcp-servers", "config", Map.of(
                    "resource", List.of(serverUri(i)), "display-name", List.of("Server " + i),
                    "scopes", List.of("s" + i + ":read", "s" + i + ":write"), "default-resource", List.of("false"))));
        }
        realm.put("components", Map.of(SERVER_TYPE, components));
        long begin = System.nanoTime();
        Admin.expect(admin.call("POST", "/admin/realms", realm, remaining(deadline)), 201);
        setup.importSeconds = seconds(begin);
        setup.status = "enabling";
        begin = System.nanoTime();
        Admin.expect(admin.call("POST", "/admin/realms/" + name + "/mcp-authz/enable", null, remaining(deadline)), 200);
        setup.enableSeconds = seconds(begin);
        setup.status = "adding one server";
        begin = System.nanoTime();
        int extra = servers + 1;
        Admin.expect(admin.call("POST", "/admin/realms/" + name + "/mcp-authz/servers", Map.of(
                "resource", serverUri(extra), "name", "Server " + extra,
                "scopes", List.of("s" + extra + ":read", "s" + extra + ":write")), remaining(deadline)), 201);
        setup.addOneSeconds = seconds(begin);
        // The same through the admin console's page (a component of the realm), as a second server.
        setup.status = "adding one server through the components API";
        String realmId = admin.get("/admin/realms/" + name).path("id").asText();
        int second = servers + 2;
        begin = System.nanoTime();
        Admin.expect(admin.call("POST", "/admin/realms/" + name + "/components", Map.of(
                "name", "Server " + second, "providerId", "mcp-servers", "providerType", SERVER_TYPE, "parentId", realmId,
                "config", Map.of("resource", List.of(serverUri(second)), "display-name", List.of("Server " + second),
                        "scopes", List.of("s" + second + ":read", "s" + second + ":write"),
                        "default-resource", List.of("false"))), remaining(deadline)), 201);
        setup.addOneComponentSeconds = seconds(begin);
    }

    private void createStock(Admin admin, long deadline) {
        // Keycloak's own default client scopes come from a realm it made (partial export), ours are added to them.
        Admin.expect(admin.post("/admin/realms", baseRepresentation()), 201);
        JsonNode exported = Web.json(admin.post("/admin/realms/" + name + "/partial-export", null), 200);
        Admin.expect(admin.delete("/admin/realms/" + name), 204);
        ObjectNode realm = (ObjectNode) exported;
        // Components (keys with masked secrets, registration policies) and roles are made afresh by the import.
        realm.remove(List.of("id", "components", "roles", "defaultRole", "clients", "groups", "identityProviders"));
        realm.set("users", Web.JSON.valueToTree(baseRepresentation().get("users")));
        ArrayNode scopes = realm.withArray("clientScopes");
        ArrayNode optional = realm.withArray("defaultOptionalClientScopes");
        for (int i = 1; i <= servers + 1; i++) {
            if (i == servers + 1) {
                break; // the "one more" server is added over REST below, like on the jar side
            }
            addStockServerScopes(scopes, optional, i);
        }
        long begin = System.nanoTime();
        Admin.expect(admin.call("POST", "/admin/realms", realm, remaining(deadline)), 201);
        setup.importSeconds = seconds(begin);
        setup.status = "adding one server";
        begin = System.nanoTime();
        int extra = servers + 1;
        ArrayNode one = Web.JSON.createArrayNode();
        addStockServerScopes(one, Web.JSON.createArrayNode(), extra);
        for (JsonNode scope : one) {
            HttpResponse<String> created = Admin.expect(admin.call("POST", "/admin/realms/" + name + "/client-scopes",
                    scope, remaining(deadline)), 201);
            String id = Web.location(created).map(l -> l.substring(l.lastIndexOf('/') + 1)).orElseThrow();
            Admin.expect(admin.call("PUT", "/admin/realms/" + name + "/default-optional-client-scopes/" + id, null,
                    remaining(deadline)), 204);
        }
        setup.addOneSeconds = seconds(begin);
    }

    private static void addStockServerScopes(ArrayNode scopes, ArrayNode optional, int i) {
        for (String suffix : List.of("read", "write")) {
            ObjectNode scope = scopes.addObject();
            scope.put("name", "s" + i + ":" + suffix);
            scope.put("protocol", "openid-connect");
            scope.putObject("attributes").put("include.in.token.scope", "true").put("display.on.consent.screen", "true")
                    .put("consent.screen.text", "Server " + i + " " + suffix);
            optional.add("s" + i + ":" + suffix);
        }
        ObjectNode aud = scopes.addObject();
        aud.put("name", "aud-" + i);
        aud.put("protocol", "openid-connect");
        aud.putObject("attributes").put("include.in.token.scope", "false").put("display.on.consent.screen", "true")
                .put("consent.screen.text", "Server " + i);
        ObjectNode mapper = aud.putArray("protocolMappers").addObject();
        mapper.put("name", "audience " + i);
        mapper.put("protocol", "openid-connect");
        mapper.put("protocolMapper", "oidc-audience-mapper");
        mapper.putObject("config").put("included.custom.audience", serverUri(i)).put("access.token.claim", "true")
                .put("id.token.claim", "false").put("introspection.token.claim", "true");
        optional.add("aud-" + i);
    }

    private void removeDefaultScope(Admin admin, String scopeName) {
        for (JsonNode scope : admin.get("/admin/realms/" + name + "/default-default-client-scopes")) {
            if (scopeName.equals(scope.path("name").asText())) {
                Admin.expect(admin.delete("/admin/realms/" + name + "/default-default-client-scopes/"
                        + scope.path("id").asText()), 204);
            }
        }
    }

    private void openAnonymousRegistration(Admin admin) {
        JsonNode realm = admin.get("/admin/realms/" + name);
        JsonNode policies = admin.get("/admin/realms/" + name + "/components?parent=" + realm.path("id").asText()
                + "&type=" + POLICY_TYPE);
        for (JsonNode policy : policies) {
            String provider = policy.path("providerId").asText();
            boolean anonymous = "anonymous".equals(policy.path("subType").asText());
            if (anonymous && (provider.equals("trusted-hosts") || provider.equals("max-clients"))) {
                Admin.expect(admin.delete("/admin/realms/" + name + "/components/" + policy.path("id").asText()), 204);
            }
            if (provider.equals("mcp-dynamic-client-limits")) {
                ObjectNode component = (ObjectNode) policy.deepCopy();
                ObjectNode config = component.with("config");
                config.putArray("max-dynamic-clients").add("0");
                config.putArray("registrations-per-address").add("0");
                Admin.expect(admin.put("/admin/realms/" + name + "/components/" + policy.path("id").asText(), component),
                        204, 200);
            }
        }
        if (side() == Side.STOCK) {
            for (JsonNode policy : admin.get("/admin/realms/" + name + "/components?type=" + POLICY_TYPE)) {
                String provider = policy.path("providerId").asText();
                if ("anonymous".equals(policy.path("subType").asText())
                        && (provider.equals("trusted-hosts") || provider.equals("max-clients"))) {
                    throw new BenchException("stock realm " + name + " still has anonymous policy " + provider);
                }
            }
        }
    }

    private JsonNode createAdminClient(Admin admin) {
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", ADMIN_CLIENT);
        client.put("name", "Benchmark app (admin-made)");
        client.put("protocol", "openid-connect");
        client.put("publicClient", true);
        client.put("standardFlowEnabled", true);
        client.put("directAccessGrantsEnabled", false);
        client.put("consentRequired", false);
        client.put("redirectUris", List.of(REDIRECT));
        client.put("attributes", Map.of("pkce.code.challenge.method", "S256"));
        Admin.expect(admin.post("/admin/realms/" + name + "/clients", client), 201);
        return admin.get("/admin/realms/" + name + "/clients?clientId=" + ADMIN_CLIENT).get(0);
    }

    /** CIMD: the executor may fetch documents from 127.0.0.0/8 (the local document host), without per-host limits. Jar only. */
    void allowLoopbackDocuments() {
        Admin admin = kc.admin();
        JsonNode profiles = admin.get("/admin/realms/" + name + "/client-policies/profiles");
        boolean found = false;
        for (JsonNode profile : profiles.path("profiles")) {
            for (JsonNode executor : profile.path("executors")) {
                if ("mcp-client-id-metadata-document".equals(executor.path("executor").asText())) {
                    ObjectNode configuration = ((ObjectNode) executor).with("configuration");
                    configuration.putArray("allowed-address-ranges").add("127.0.0.0/8");
                    // Every document comes from one host and one address here: lift the per-host fetch concurrency
                    // and creation limits (their behaviour is proven by CimdFetchLimitsIT and CimdLimitsIT), so the
                    // benchmark measures fetching, not refusals.
                    configuration.put("max-concurrent-fetches", 256);
                    configuration.put("max-concurrent-fetches-per-host", 256);
                    configuration.put("registrations-per-host", 0);
                    found = true;
                }
            }
        }
        if (!found) {
            throw new BenchException("no executor mcp-client-id-metadata-document in realm " + name + ": " + profiles);
        }
        Admin.expect(admin.put("/admin/realms/" + name + "/client-policies/profiles", profiles), 204, 200);
    }

    void delete(Duration timeout) {
        try {
            kc.admin().call("DELETE", "/admin/realms/" + name, null, timeout);
        } catch (RuntimeException e) {
            System.out.println("[bench] could not delete realm " + name + " on " + side().id + ": " + e.getMessage());
        }
    }

    // --- the OAuth flows ------------------------------------------------------------------------------------------

    /** The authorization request both sides answer with the same token shape. */
    String authorizationUrl(String clientId, String redirectUri, String challenge) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("response_type", "code");
        params.put("client_id", clientId);
        params.put("redirect_uri", redirectUri);
        params.put("scope", side() == Side.JAR ? "openid" : "openid aud-" + target);
        params.put("state", Web.randomToken(9));
        params.put("code_challenge", challenge);
        params.put("code_challenge_method", "S256");
        if (side() == Side.JAR) {
            params.put("resource", targetUri());
        }
        return issuer() + "/protocol/openid-connect/auth?" + Web.form(params);
    }

    String tokenEndpoint() {
        return issuer() + "/protocol/openid-connect/token";
    }

    Tokens exchange(HttpClient http, String clientId, String code, String verifier) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", REDIRECT);
        form.put("client_id", clientId);
        form.put("code_verifier", verifier);
        if (side() == Side.JAR) {
            form.put("resource", targetUri());
        }
        return Tokens.of(Web.json(Web.postForm(http, tokenEndpoint(), form), 200));
    }

    Tokens refresh(HttpClient http, String clientId, String refreshToken) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.put("refresh_token", refreshToken);
        form.put("client_id", clientId);
        if (side() == Side.JAR) {
            form.put("resource", targetUri());
        }
        return Tokens.of(Web.json(Web.postForm(http, tokenEndpoint(), form), 200));
    }

    /** Fails loudly unless the access token's {@code aud} is exactly the target server. */
    void checkAudience(Tokens tokens, String what) {
        var aud = Web.audience(tokens.access());
        if (!aud.equals(java.util.Set.of(targetUri()))) {
            throw new BenchException(side().id + " " + what + " in realm " + name + ": aud " + aud + ", expected exactly ["
                    + targetUri() + "]; the two sides would not issue the same token shape");
        }
    }

    /** Anonymous RFC 7591 registration with the body the TypeScript MCP SDK sends; returns the client_id. */
    String register(HttpClient http, String clientName) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("client_name", clientName);
        metadata.put("redirect_uris", List.of(REDIRECT));
        metadata.put("grant_types", List.of("authorization_code", "refresh_token"));
        metadata.put("response_types", List.of("code"));
        metadata.put("token_endpoint_auth_method", "none");
        JsonNode answer = Web.json(Web.postJson(http, issuer() + "/clients-registrations/openid-connect", null, metadata),
                201);
        String clientId = answer.path("client_id").asText();
        if (clientId.isEmpty()) {
            throw new BenchException("registration without client_id: " + answer);
        }
        return clientId;
    }

    record Tokens(String access, String refresh) {
        static Tokens of(JsonNode answer) {
            String access = answer.path("access_token").asText();
            String refresh = answer.path("refresh_token").asText();
            if (access.isEmpty() || refresh.isEmpty()) {
                throw new BenchException("token response without access_token or refresh_token: " + answer);
            }
            return new Tokens(access, refresh);
        }
    }

    private static Duration remaining(long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SetupTimeout();
        }
        return Duration.ofNanos(left);
    }

    private static double seconds(long begin) {
        return (System.nanoTime() - begin) / 1e9;
    }

    /** The set-up did not finish within its time budget. */
    static final class SetupTimeout extends RuntimeException {
        SetupTimeout() {
            super("set-up timed out");
        }
    }
}
