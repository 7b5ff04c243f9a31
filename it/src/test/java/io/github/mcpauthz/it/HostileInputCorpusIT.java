package io.github.mcpauthz.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.corpus.CanaryListeners;
import io.github.mcpauthz.it.corpus.CorpusAdmin;
import io.github.mcpauthz.it.corpus.CorpusCase;
import io.github.mcpauthz.it.corpus.CorpusReport;
import io.github.mcpauthz.it.corpus.CorpusReport.Verdict;
import io.github.mcpauthz.it.corpus.DripServer;
import io.github.mcpauthz.it.corpus.Placeholders;
import io.github.mcpauthz.it.support.AdminApi;
import io.github.mcpauthz.it.support.AuthorizationRequest;
import io.github.mcpauthz.it.support.AuthorizationResponse;
import io.github.mcpauthz.it.support.Browser;
import io.github.mcpauthz.it.support.CimdAuthorization;
import io.github.mcpauthz.it.support.CimdDocumentServer;
import io.github.mcpauthz.it.support.CimdDocumentServer.Response;
import io.github.mcpauthz.it.support.CimdDocuments;
import io.github.mcpauthz.it.support.CimdRealm;
import io.github.mcpauthz.it.support.ClientAuthentication;
import io.github.mcpauthz.it.support.ClientKey;
import io.github.mcpauthz.it.support.ClientRegistration;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.Json;
import io.github.mcpauthz.it.support.KeycloakEnvironment;
import io.github.mcpauthz.it.support.KeycloakIT;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.McpTestRealm;
import io.github.mcpauthz.it.support.TokenResponse;
import org.jsoup.Jsoup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The hostile-input corpus of issue 12 ({@code src/test/resources/hostile-corpus/*.json}, at least 300 cases over
 * DCR, RFC 7592 updates, CIMD URLs and documents, authorization and token requests), run against the real Keycloak.
 * One dynamic test per case, then a summary that writes {@code target/hostile-corpus-report.{md,json}} and fails
 * unless: nothing that must be refused was accepted, no HTTP 5xx, every refusal is the expected one, every control
 * passed, and no connection reached a canary listener (loopback listeners every hostile URL points at).
 *
 * <p>Realms: {@code hostile-*} (an {@link McpTestRealm} without anonymous rate limit, plus a second MCP server) for
 * DCR, updates, authorization and token cases; three CIMD realms: {@code ssrf} (no address allowance, so
 * special-use refusals are real), {@code loopback} (127.0.0.0/8 allowed, documents from the local document server)
 * and {@code deny} (loopback allowed, {@code denied-domains: localhost}). Skipped in the container execution, where
 * Keycloak cannot reach the canaries on the host's loopback interface.
 */
@KeycloakIT
class HostileInputCorpusIT {

    static final int MINIMUM_CASES = 300;
    static final String OTHER_SERVER = "https://other.mcp-corpus.invalid/mcp";
    static final String WEB_REDIRECT = "https://app.mcp-corpus.invalid/cb";
    static final String NATIVE_REDIRECT = "http://127.0.0.1:33418/callback";
    static final String CIMD_CALLBACK = "http://127.0.0.1/callback";
    /** The error recorded for a request accepted with the offending scope dropped ({@code dropAllowed} cases). */
    static final String DROPPED = "(dropped)";

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private static KeycloakEnvironment keycloak;
    private static AdminApi admin;
    private static CorpusAdmin corpusAdmin;
    private static McpTestRealm realm;
    private static final Map<String, CimdRealm> cimdRealms = new LinkedHashMap<>();
    private static CimdDocumentServer documents;
    private static CanaryListeners canaries;
    private static DripServer drip;
    private static final CorpusReport report = new CorpusReport();
    private static final List<String> notes = new ArrayList<>();
    private static Placeholders placeholders;

    private static McpClient loopbackClient;
    private static String webClientId;
    private static Browser browser;
    private static String refreshToken;
    private static String refreshTokenNoResource;
    private static String accessToken;
    private static String grantedScope;

    @BeforeAll
    static void setUp(KeycloakEnvironment environment) {
        keycloak = environment;
        CimdDocumentServer.assumeReachableFrom(keycloak);
        admin = keycloak.admin();
        corpusAdmin = new CorpusAdmin(keycloak);
        canaries = CanaryListeners.start();
        documents = CimdDocumentServer.start();
        drip = DripServer.start(documents.port());

        realm = McpTestRealm.create(keycloak, "hostile").withoutAnonymousRateLimit();
        AdminApi.expect(admin.registerServer(realm.name(), OTHER_SERVER, "Other corpus server", List.of("other:read"),
                false), 200, 201);
        // Hundreds of documents from one address and one host: the creation limits (proven by CimdLimitsIT) are off
        // here, so every case meets the rule it is about.
        cimdRealms.put("ssrf", unlimited(CimdRealm.create(keycloak, "hostile-ssrf", Map.of(NO_HOST_LIMIT, "0"))));
        cimdRealms.put("loopback", unlimited(CimdRealm.create(keycloak, "hostile-cimd", Map.of(
                "allowed-address-ranges", List.of("127.0.0.0/8"), NO_HOST_LIMIT, "0"))));
        cimdRealms.put("deny", unlimited(CimdRealm.create(keycloak, "hostile-deny", Map.of(
                "allowed-address-ranges", List.of("127.0.0.0/8"), "denied-domains", List.of("localhost"),
                NO_HOST_LIMIT, "0"))));

        loopbackClient = realm.registerPublicClient("Corpus loopback client");
        webClientId = realm.registerOrFail(ClientRegistration.webMetadata("Corpus web client", WEB_REDIRECT,
                "client_secret_basic")).clientId();
        // One browser (SSO session) each: a new authorization of the client in the same session restarts its client
        // session, and refresh tokens issued before that are refused ("issued before the client session started").
        browser = new Browser();
        TokenResponse bound = loopbackClient.login(new Browser(), realm.user(), McpTestRealm.SERVER,
                McpTestRealm.SERVER_SCOPE);
        assertEquals(200, bound.status(), bound::describe);
        refreshToken = bound.refreshToken();
        accessToken = bound.accessToken();
        grantedScope = bound.json().path("scope").asText("");
        TokenResponse unbound = loopbackClient.login(new Browser(), realm.user(), null, null);
        assertEquals(200, unbound.status(), unbound::describe);
        refreshTokenNoResource = unbound.refreshToken();

        placeholders = new Placeholders()
                .put("canaryPort", String.valueOf(canaries.v4Port()))
                .put("canary2Port", String.valueOf(canaries.secondLoopbackPort()))
                .put("canary6Port", String.valueOf(canaries.v6Port()))
                .put("docPort", String.valueOf(documents.port()))
                .put("server", McpTestRealm.SERVER)
                .put("otherServer", OTHER_SERVER)
                .put("serverId", serverId(McpTestRealm.SERVER))
                .put("issuer", realm.issuer())
                .put("client", loopbackClient.clientId())
                .put("webClient", webClientId)
                .put("accessToken", accessToken)
                .putJson("jwks", ClientKey.generateRsa().jwks());
        notes.add("Keycloak " + keycloak.variant() + " (" + keycloak.runtime() + "), realm " + realm.name()
                + ", CIMD realms " + cimdRealms.values());
        notes.add("canaries: 127.0.0.1:" + canaries.v4Port()
                + (canaries.hasSecondLoopback() ? ", 127.0.0.2:" + canaries.secondLoopbackPort()
                : " (no 127.0.0.2: those cases prove only the refusal)")
                + (canaries.hasV6() ? ", [::1]:" + canaries.v6Port() : " (no [::1]: those cases prove only the refusal)"));
    }

    private static final String NO_HOST_LIMIT = "registrations-per-host";

    private static CimdRealm unlimited(CimdRealm cimd) {
        cimd.admin().configureRegistrationPolicy(cimd.name(), McpTestRealm.LIMITS_POLICY, McpTestRealm.ANONYMOUS,
                Map.of("registrations-per-address", "0"));
        return cimd;
    }

    @AfterAll
    static void tearDown() {
        McpTestRealm.close(realm);
        cimdRealms.values().forEach(CimdRealm::delete);
        if (documents != null) {
            documents.close();
        }
        if (canaries != null) {
            canaries.close();
        }
        if (drip != null) {
            drip.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> corpus() {
        List<CorpusCase> cases = CorpusCase.loadAll();
        Stream<DynamicTest> perCase = cases.stream().map(c -> DynamicTest.dynamicTest(c.id(), () -> {
            CorpusReport.Result result = run(c);
            report.add(result);
            if (result.failed()) {
                fail(result.verdict() + ": " + result.line());
            }
        }));
        return Stream.concat(perCase, Stream.of(DynamicTest.dynamicTest("summary", () -> summary(cases))));
    }

    private static void summary(List<CorpusCase> cases) {
        Map<String, Long> perArea = new LinkedHashMap<>();
        cases.forEach(c -> perArea.merge(c.area(), 1L, Long::sum));
        String markdown = report.write(Path.of("target"), notes, canaries.connections(), canaries.count());
        System.out.println(markdown);
        assertTrue(cases.size() >= MINIMUM_CASES, "the corpus has only " + cases.size() + " cases");
        CorpusCase.AREAS.forEach(area -> assertTrue(perArea.getOrDefault(area, 0L) > 0, "no case for " + area));
        assertEquals(cases.size(), report.results().size(), "not every case ran");
        StringBuilder problems = new StringBuilder();
        report.failures().forEach(r -> problems.append("\n  ").append(r.verdict()).append(' ').append(r.line()));
        assertTrue(report.count(Verdict.ACCEPTED_MUST_REFUSE) == 0 && report.count(Verdict.SERVER_ERROR) == 0
                        && report.count(Verdict.WRONG_REFUSAL) == 0 && report.count(Verdict.CONTROL_REFUSED) == 0
                        && canaries.count() == 0,
                "accepted that must be refused: " + report.count(Verdict.ACCEPTED_MUST_REFUSE)
                        + ", HTTP 5xx: " + report.count(Verdict.SERVER_ERROR)
                        + ", wrong refusals: " + report.count(Verdict.WRONG_REFUSAL)
                        + ", controls refused: " + report.count(Verdict.CONTROL_REFUSED)
                        + ", canary connections: " + canaries.count()
                        + " (report: target/hostile-corpus-report.md)" + problems);
    }

    // --- one case --------------------------------------------------------------------------------------------------

    /** What came back, before judging. */
    record Observed(boolean accepted, int status, String error, String description, String channel, String iss,
                    List<String> problems, boolean sideEffect) {

        static Observed of(boolean accepted, int status, String error, String description, String channel, String iss) {
            return new Observed(accepted, status, error, description, channel, iss, new ArrayList<>(), false);
        }

        Observed withSideEffect(String problem) {
            List<String> all = new ArrayList<>(problems);
            all.add(problem);
            return new Observed(accepted, status, error, description, channel, iss, all, true);
        }

        Observed withProblem(String problem) {
            List<String> all = new ArrayList<>(problems);
            all.add(problem);
            return new Observed(accepted, status, error, description, channel, iss, all, sideEffect);
        }

        String describe() {
            String text = (accepted ? "ACCEPTED " : "") + "HTTP " + status + (channel == null ? "" : " " + channel)
                    + (error == null ? "" : " " + error)
                    + (description == null || description.isBlank() ? "" : " \"" + abbreviate(description) + "\"")
                    + (problems.isEmpty() ? "" : " " + problems);
            return text;
        }
    }

    private static CorpusReport.Result run(CorpusCase c) {
        int before = canaries.count();
        long start = System.nanoTime();
        Placeholders vars = placeholders
                .with("fresh", "corpus-" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 50), 36))
                .with("randomPort", String.valueOf(ThreadLocalRandom.current().nextInt(20000, 60000)));
        Observed observed;
        try {
            observed = switch (c.area()) {
                case "dcr" -> registration(c, vars);
                case "dcr-update" -> update(c, vars);
                case "cimd-url" -> cimdUrl(c, vars);
                case "cimd-document" -> cimdDocument(c, vars);
                case "authorization" -> authorization(c, vars);
                case "token" -> token(c, vars);
                default -> throw new IllegalStateException("unknown area " + c.area());
            };
        } catch (UncheckedIOException e) {
            observed = Observed.of(false, 0, null, "no answer: " + e.getMessage() + " / " + e.getCause(), "io", null);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        int connections = canaries.count() - before;
        return new CorpusReport.Result(c, judge(c, observed), observed.describe(), connections, millis);
    }

    private static Verdict judge(CorpusCase c, Observed o) {
        CorpusCase.Expect expect = c.expect();
        if (o.status() >= 500) {
            return Verdict.SERVER_ERROR;
        }
        if (expect.accept()) {
            return o.accepted() && o.problems().isEmpty() ? Verdict.PASS : Verdict.CONTROL_REFUSED;
        }
        if (!expect.refuse()) {
            return o.status() == 0 ? Verdict.WRONG_REFUSAL : Verdict.PASS;
        }
        if (o.accepted() || o.sideEffect()) {
            return Verdict.ACCEPTED_MUST_REFUSE;
        }
        if (expect.dropAllowed() && DROPPED.equals(o.error())) {
            return Verdict.PASS;
        }
        // Keycloak's error pages carry no error code: only JSON answers and error redirects are checked for one.
        boolean errorChecked = !"page".equals(o.channel());
        if (!o.problems().isEmpty() || !expect.statusMatches(o.status())
                || errorChecked && !expect.errorMatches(o.error())) {
            return Verdict.WRONG_REFUSAL;
        }
        if (expect.via() != null && !expect.via().equals(o.channel())
                && !("redirect-or-page".equals(expect.via()) && List.of("redirect", "page").contains(o.channel()))) {
            return Verdict.WRONG_REFUSAL;
        }
        if ("redirect".equals(o.channel()) && !placeholders.get("issuer").equals(o.iss())
                && !c.area().startsWith("cimd")) {
            return Verdict.WRONG_REFUSAL;
        }
        return Verdict.PASS;
    }

    // --- dcr -------------------------------------------------------------------------------------------------------

    private static Map<String, Object> baseMetadata(String base) {
        return switch (base) {
            case "native" -> ClientRegistration.sdkMetadata("Hostile corpus client", NATIVE_REDIRECT, null);
            case "web" -> ClientRegistration.webMetadata("Hostile corpus web client", WEB_REDIRECT, "client_secret_basic");
            default -> throw new IllegalArgumentException("unknown base " + base);
        };
    }

    private static void applyChanges(Map<String, Object> body, JsonNode request, Placeholders vars) {
        request.path("remove").forEach(field -> body.remove(field.asText()));
        request.path("set").fields().forEachRemaining(field ->
                body.put(vars.expand(field.getKey()), toJava(vars.expand(field.getValue()))));
    }

    private static Object toJava(JsonNode node) {
        return Json.MAPPER.convertValue(node, Object.class);
    }

    private static Observed registration(CorpusCase c, Placeholders vars) {
        JsonNode request = c.request();
        int clientsBefore = corpusAdmin.countClients(realm.name());
        HttpResult result;
        Map<String, Object> body = null;
        if (request.has("raw")) {
            result = send("POST", ClientRegistration.endpoint(realm.issuer()),
                    request.path("contentType").asText("application/json"), vars.expand(request.get("raw").asText()), null);
        } else {
            body = baseMetadata(request.path("base").asText("native"));
            applyChanges(body, request, vars);
            result = send("POST", ClientRegistration.endpoint(realm.issuer()), "application/json", Json.write(body), null);
        }
        Observed observed = jsonObserved(result, 201);
        if (result.status() == 201) {
            ClientRegistration.Registered registered = new ClientRegistration.Registered(realm.issuer(), result.json());
            if (c.expect().refuse()) {
                observed = probe(request.path("probe").asText(""), registered, body, vars, observed);
                if (c.expect().dropAllowed()) {
                    observed = dropped(observed, registered.clientId(), result.json());
                }
            }
            deleteClient(realm.name(), registered.clientId());
        } else {
            int clientsAfter = corpusAdmin.countClients(realm.name());
            if (clientsAfter != clientsBefore) {
                observed = observed.withSideEffect("the client count changed from " + clientsBefore + " to "
                        + clientsAfter + " although the registration was refused");
            }
        }
        return observed;
    }

    /** A refused-as-dropped scope: accepted, but the client holds no {@code mcp-server:*} scope. */
    private static Observed dropped(Observed observed, String clientId, JsonNode response) {
        JsonNode client = corpusAdmin.client(realm.name(), clientId).orElseThrow();
        List<String> scopes = new ArrayList<>();
        client.path("defaultClientScopes").forEach(s -> scopes.add(s.asText()));
        client.path("optionalClientScopes").forEach(s -> scopes.add(s.asText()));
        boolean holds = scopes.stream().anyMatch(s -> s.startsWith("mcp-server:"))
                || response.path("scope").asText("").contains("mcp-server:");
        if (holds) {
            return observed;
        }
        return Observed.of(false, observed.status(), DROPPED, "accepted with the mcp-server:* scope dropped",
                "json", null);
    }

    /**
     * For a registration that was wrongly accepted: uses the hostile field the way an attacker would next, so a
     * resulting connection shows on the canaries.
     */
    private static Observed probe(String probe, ClientRegistration.Registered registered, Map<String, Object> body,
                                  Placeholders vars, Observed observed) {
        if (probe.equals("request_uri") && body != null && body.get("request_uris") instanceof List<?> uris
                && !uris.isEmpty()) {
            String requestUri = String.valueOf(uris.get(0)).replace("*", "probe");
            AuthorizationRequest authorization = McpClient.of(realm.issuer(), registered.clientId(), NATIVE_REDIRECT,
                    ClientAuthentication.none()).authorizationRequest().set("request_uri", requestUri);
            HttpResult answer = CimdAuthorization.firstResponse(authorization);
            return observed.withProblem("probe: authorization with request_uri -> HTTP " + answer.status());
        }
        if (probe.equals("client_assertion")) {
            String tokenEndpoint = realm.issuer() + "/protocol/openid-connect/token";
            Map<String, List<String>> form = new LinkedHashMap<>();
            form.put("grant_type", List.of("authorization_code"));
            form.put("code", List.of("probe"));
            form.put("redirect_uri", List.of(WEB_REDIRECT));
            form.put("client_assertion_type", List.of("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
            form.put("client_assertion", List.of(ClientKey.generateRsa().clientAssertion(registered.clientId(),
                    tokenEndpoint)));
            HttpResult answer = io.github.mcpauthz.it.support.Http.postForm(tokenEndpoint, form);
            return observed.withProblem("probe: client assertion -> HTTP " + answer.status());
        }
        return observed;
    }

    // --- dcr-update ------------------------------------------------------------------------------------------------

    private static Observed update(CorpusCase c, Placeholders vars) {
        JsonNode request = c.request();
        Map<String, Object> metadata = baseMetadata(request.path("base").asText("native"));
        ClientRegistration.Registered registered = realm.registerOrFail(metadata);
        JsonNode before = corpusAdmin.client(realm.name(), registered.clientId()).orElseThrow();
        Map<String, Object> body = new LinkedHashMap<>(metadata);
        body.put("client_id", registered.clientId());
        applyChanges(body, request, vars);
        String bearer = switch (request.path("auth").asText("token")) {
            case "none" -> null;
            case "garbage" -> "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.garbage";
            default -> registered.registrationAccessToken();
        };
        HttpResult result = send("PUT", ClientRegistration.endpoint(realm.issuer()) + "/" + registered.clientId(),
                "application/json", Json.write(body), bearer);
        Observed observed = jsonObserved(result, 200);
        if (result.status() == 200 && c.expect().dropAllowed()) {
            observed = dropped(observed, registered.clientId(), result.json());
        } else if (result.status() != 200) {
            JsonNode after = corpusAdmin.client(realm.name(), registered.clientId()).orElseThrow();
            if (!before.equals(after)) {
                observed = observed.withSideEffect("the stored client changed although the update was refused");
            }
        }
        deleteClient(realm.name(), registered.clientId());
        return observed;
    }

    private static Observed jsonObserved(HttpResult result, int success) {
        JsonNode json = result.json();
        String error = json.path("error").isTextual() ? json.get("error").asText() : null;
        String description = json.path("error_description").asText(null);
        Observed observed = Observed.of(result.status() == success, result.status(), error, description, "json", null);
        if (error != null && error.matches("[a-z_]+") && (description == null || description.isBlank())) {
            observed = observed.withProblem("no error_description");
        }
        return observed;
    }

    private static void deleteClient(String realmName, String clientId) {
        corpusAdmin.deleteClient(realmName, clientId);
    }

    // --- cimd ------------------------------------------------------------------------------------------------------

    private static Observed cimdUrl(CorpusCase c, Placeholders vars) {
        JsonNode request = c.request();
        CimdRealm cimd = cimdRealm(request.path("realm").asText());
        String clientId = vars.expand(request.path("clientId").asText());
        for (JsonNode serve : request.path("serve")) {
            documents.serve(vars.expand(serve.path("path").asText()),
                    Response.json(CimdDocuments.minimal(clientId, CIMD_CALLBACK)));
        }
        return cimdAuthorization(cimd, clientId, c.expect().dropAllowed());
    }

    private static Observed cimdDocument(CorpusCase c, Placeholders vars) {
        JsonNode request = c.request();
        CimdRealm cimd = cimdRealm("loopback");
        String path = "/corpus/" + vars.expand("${fresh}") + ".json";
        String mode = request.path("drip").asText(null);
        String clientId = mode == null ? documents.url(path) : "https://localhost:" + drip.port(mode) + path;
        Placeholders docVars = vars.with("clientId", clientId)
                .with("clientIdUpper", clientId.replace(path, path.toUpperCase(Locale.ROOT)));
        String document;
        if (request.has("raw")) {
            document = docVars.expand(request.get("raw").asText());
        } else {
            Map<String, Object> body = new LinkedHashMap<>(CimdDocuments.minimal(clientId, CIMD_CALLBACK));
            applyChanges(body, request, docVars);
            document = Json.write(body);
        }
        Response response = request.has("status") && request.get("status").asInt() != 200
                ? (document.isEmpty() ? Response.status(request.get("status").asInt())
                : Response.status(request.get("status").asInt()).withBody("application/json", document))
                : Response.json(document);
        for (Map.Entry<String, JsonNode> header : iterable(request.path("headers"))) {
            response = response.withHeader(header.getKey(), header.getValue().asText());
        }
        int completedBefore = drip.completedDrips();
        if (mode != null) {
            drip.prepare(mode, document);
        }
        documents.serve(path, response);
        Observed observed = cimdAuthorization(cimd, clientId, c.expect().dropAllowed());
        if (mode != null && drip.completedDrips() > completedBefore) {
            observed = observed.withProblem("Keycloak stayed connected for the whole " + DripServer.DRIP.toSeconds()
                    + " s drip (no absolute fetch deadline)");
        }
        return observed;
    }

    private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode object) {
        List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
        object.fields().forEachRemaining(entries::add);
        return entries;
    }

    private static CimdRealm cimdRealm(String key) {
        CimdRealm cimd = cimdRealms.get(key);
        if (cimd == null) {
            throw new IllegalArgumentException("unknown CIMD realm " + key);
        }
        return cimd;
    }

    private static Observed cimdAuthorization(CimdRealm cimd, String clientId, boolean dropAllowed) {
        McpClient client = CimdAuthorization.client(cimd, clientId, CimdAuthorization.loopbackCallback());
        AuthorizationRequest request = CimdAuthorization.request(client);
        HttpResult page = sendAuthorization(request);
        Observed observed = authorizationObserved(page, cimd.issuer());
        Optional<JsonNode> created = safeClient(cimd, clientId);
        if (created.isPresent()) {
            if (!observed.accepted()) {
                observed = observed.withSideEffect("a client was created although the request was refused");
            } else if (dropAllowed) {
                List<String> scopes = new ArrayList<>();
                created.get().path("defaultClientScopes").forEach(s -> scopes.add(s.asText()));
                created.get().path("optionalClientScopes").forEach(s -> scopes.add(s.asText()));
                if (scopes.stream().noneMatch(s -> s.startsWith("mcp-server:"))) {
                    observed = Observed.of(false, 200, DROPPED, "accepted with the mcp-server:* scope dropped",
                            "page", null);
                }
            }
            deleteClient(cimd.name(), clientId);
        }
        return observed;
    }

    private static Optional<JsonNode> safeClient(CimdRealm cimd, String clientId) {
        try {
            return corpusAdmin.client(cimd.name(), clientId);
        } catch (RuntimeException | AssertionError e) {
            return Optional.empty();
        }
    }

    // --- authorization ---------------------------------------------------------------------------------------------

    private static Observed authorization(CorpusCase c, Placeholders vars) {
        JsonNode request = c.request();
        McpClient client = switch (request.path("client").asText()) {
            case "loopback" -> loopbackClient.withRedirectUri(McpClient.loopbackRedirectUri());
            case "web" -> McpClient.of(realm.issuer(), webClientId, WEB_REDIRECT, ClientAuthentication.none());
            default -> throw new IllegalArgumentException("unknown client in " + c.id());
        };
        AuthorizationRequest authorization = client.authorizationRequest()
                .resource(McpTestRealm.SERVER).scope(McpTestRealm.SERVER_SCOPE);
        request.path("remove").forEach(name -> authorization.without(name.asText()));
        request.path("set").fields().forEachRemaining(f -> authorization.set(f.getKey(), vars.expand(f.getValue().asText())));
        request.path("add").fields().forEachRemaining(f -> authorization.add(f.getKey(), vars.expand(f.getValue().asText())));
        return authorizationObserved(sendAuthorization(authorization), realm.issuer());
    }

    private static HttpResult sendAuthorization(AuthorizationRequest request) {
        return send(HttpRequest.newBuilder(request.toUri())
                .timeout(Duration.ofSeconds(40))
                .header("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
                .GET().build());
    }

    /**
     * An authorization endpoint answer: a redirect to the client (error with {@code iss}, or a code = accepted), a
     * redirect or page inside Keycloak's login flow (accepted: the flow goes on), or an error page.
     */
    private static Observed authorizationObserved(HttpResult page, String issuer) {
        Optional<String> location = page.header("Location");
        if (page.status() >= 300 && page.status() < 400 && location.isPresent()) {
            URI target = page.uri().resolve(location.get());
            // Keycloak's own redirects stay under /realms/. The client's loopback redirect URI has a random port,
            // which can be Keycloak's own (it was once, 4 December: a refusal to http://127.0.0.1:<Keycloak's
            // port>/callback counted as a redirect inside Keycloak), so the authority alone does not tell them apart.
            if (target.toString().startsWith(keycloak.baseUrl() + "/realms/")) {
                return Observed.of(true, page.status(), null, "redirect inside Keycloak: " + target.getPath(),
                        "keycloak", null);
            }
            Map<String, String> params = queryParams(target.getRawQuery());
            queryParams(target.getRawFragment()).forEach(params::putIfAbsent);
            if (params.containsKey("code")) {
                return Observed.of(true, page.status(), null, "code issued to " + target, "redirect", params.get("iss"));
            }
            return Observed.of(false, page.status(), params.get("error"),
                    "to " + target.getScheme() + "://" + target.getRawAuthority() + target.getRawPath() + " "
                            + params.getOrDefault("error_description", ""), "redirect", params.get("iss"));
        }
        String body = page.body() == null ? "" : page.body();
        if (page.status() == 200 && Jsoup.parse(body).selectFirst("form#kc-form-login") != null) {
            return Observed.of(true, 200, null, "login page", "page", null);
        }
        String message = page.status() >= 500 ? CimdAuthorization.pageText(page) : CimdAuthorization.errorMessage(page);
        Observed observed = Observed.of(false, page.status(), null, message, "page", null);
        if (page.status() >= 400 && page.status() < 500 && !body.isBlank() && message.isBlank()) {
            observed = observed.withProblem("error page without a reason");
        }
        return observed;
    }

    /** The parameters of a query or fragment ({@code a=b&c=d}); the first value of each name. */
    private static Map<String, String> queryParams(String query) {
        Map<String, String> params = new LinkedHashMap<>();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                params.putIfAbsent(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                        eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
    }

    // --- token -----------------------------------------------------------------------------------------------------

    private static Observed token(CorpusCase c, Placeholders vars) {
        JsonNode request = c.request();
        String from = request.path("from").asText();
        Map<String, List<String>> base = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        switch (from) {
            case "code", "code-no-resource", "used-code" -> {
                boolean withResource = !from.equals("code-no-resource");
                AuthorizationRequest authorization = loopbackClient.authorizationRequest();
                if (withResource) {
                    authorization.resource(McpTestRealm.SERVER).scope(McpTestRealm.SERVER_SCOPE);
                }
                AuthorizationResponse response = browser.authorize(authorization, realm.user());
                if (response.code() == null) {
                    return Observed.of(false, 0, null, "set-up failed, no code: " + response.describe(), "setup", null);
                }
                base.put("grant_type", new ArrayList<>(List.of("authorization_code")));
                base.put("code", new ArrayList<>(List.of(response.code())));
                base.put("code_verifier", new ArrayList<>(List.of(authorization.codeVerifier())));
                base.put("redirect_uri", new ArrayList<>(List.of(authorization.redirectUri())));
                base.put("client_id", new ArrayList<>(List.of(loopbackClient.clientId())));
                if (withResource) {
                    base.put("resource", new ArrayList<>(List.of(McpTestRealm.SERVER)));
                }
                if (from.equals("used-code")) {
                    TokenResponse first = post(base);
                    if (first.status() != 200) {
                        problems.add("the first redemption failed: " + first.describe());
                    }
                }
            }
            case "refresh", "refresh-no-resource" -> {
                base.put("grant_type", new ArrayList<>(List.of("refresh_token")));
                base.put("refresh_token", new ArrayList<>(List.of(from.equals("refresh") ? refreshToken
                        : refreshTokenNoResource)));
                base.put("client_id", new ArrayList<>(List.of(loopbackClient.clientId())));
                if (from.equals("refresh")) {
                    base.put("resource", new ArrayList<>(List.of(McpTestRealm.SERVER)));
                }
            }
            case "none" -> {
                base.put("grant_type", new ArrayList<>(List.of("authorization_code")));
                base.put("client_id", new ArrayList<>(List.of(loopbackClient.clientId())));
            }
            default -> throw new IllegalArgumentException("unknown token source " + from);
        }
        Map<String, List<String>> form = new LinkedHashMap<>();
        base.forEach((k, v) -> form.put(k, new ArrayList<>(v)));
        request.path("remove").forEach(name -> form.remove(name.asText()));
        request.path("set").fields().forEachRemaining(f ->
                form.put(f.getKey(), new ArrayList<>(List.of(vars.expand(f.getValue().asText())))));
        request.path("add").fields().forEachRemaining(f ->
                form.computeIfAbsent(f.getKey(), k -> new ArrayList<>()).add(vars.expand(f.getValue().asText())));
        TokenResponse response = post(form);
        JsonNode json = response.json();
        boolean accepted = response.status() == 200 && json.hasNonNull("access_token");
        if (accepted && c.expect().dropAllowed() && form.containsKey("scope")) {
            // down-scoping is fine: accepted passes when the token holds no scope beyond the original grant's
            List<String> granted = List.of(grantedScope.split(" "));
            List<String> extra = List.of(json.path("scope").asText("").split(" ")).stream()
                    .filter(scope -> !scope.isEmpty() && !granted.contains(scope)).toList();
            if (extra.isEmpty()) {
                return Observed.of(false, response.status(), DROPPED, "accepted without scopes beyond the grant: "
                        + json.path("scope").asText(""), "json", null);
            }
        }
        String error = json.path("error").isTextual() ? json.get("error").asText() : null;
        Observed observed = Observed.of(accepted, response.status(), error, json.path("error_description").asText(null),
                "json", null);
        for (String problem : problems) {
            observed = observed.withProblem(problem);
        }
        if (!accepted && error != null && error.matches("[a-z_]+")
                && json.path("error_description").asText("").isBlank()) {
            observed = observed.withProblem("no error_description");
        }
        if ("refresh-usable".equals(request.path("afterwards").asText())) {
            TokenResponse again = post(base);
            if (again.status() != 200) {
                observed = observed.withProblem("the refresh token no longer works after the refused request: "
                        + again.describe());
            }
        }
        return observed;
    }

    private static TokenResponse post(Map<String, List<String>> form) {
        return new TokenResponse(io.github.mcpauthz.it.support.Http.postForm(
                realm.issuer() + "/protocol/openid-connect/token", form));
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    private static String serverId(String resource) {
        JsonNode servers = AdminApi.expect(admin.listServers(realm.name()), 200).json();
        JsonNode list = servers.isArray() ? servers : servers.path("servers");
        for (JsonNode server : list) {
            if (resource.equals(server.path("resource").asText())) {
                return server.path("id").asText();
            }
        }
        throw new AssertionError(resource + " not in " + servers);
    }

    private static HttpResult send(String method, String uri, String contentType, String body, String bearer) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(uri))
                .timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json")
                .header("Content-Type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            builder.header("Authorization", "Bearer " + bearer);
        }
        return send(builder.build());
    }

    private static HttpResult send(HttpRequest request) {
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new HttpResult(request.method(), response.uri(), response.statusCode(), response.headers(),
                    response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + abbreviate(request.uri().toString()) + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "…";
    }
}
