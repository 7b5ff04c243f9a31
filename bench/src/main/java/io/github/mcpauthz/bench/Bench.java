package io.github.mcpauthz.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

/** The benchmark driver: see docs/performance.md. Run through bench/run.sh. */
public final class Bench {

    private final Options options;
    private final Result result = new Result();
    private final Runner runner;
    private final Map<Side, Keycloak> keycloaks = new EnumMap<>(Side.class);
    private final Path target;
    private DocHost docHost;
    /** Whether a scenario has run in the Keycloaks' current JVMs. */
    private boolean measuredSinceStart;
    /** Restarts so far (forks and scenarios): which side goes first alternates. */
    private int restarts;

    private Bench(Options options) {
        this.options = options;
        Map<Side, java.util.function.LongSupplier> cpu = new EnumMap<>(Side.class);
        for (Side side : Side.values()) {
            cpu.put(side, () -> keycloaks.containsKey(side) ? keycloaks.get(side).cpuMillis() : -1);
        }
        this.runner = new Runner(options, cpu);
        this.target = options.root.resolve("bench/target");
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("[bench] " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(new Bench(options).run());
    }

    private int run() {
        Path out = options.out != null ? options.out
                : target.resolve("results/" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        describeMachine();
        Path runDir = target.resolve("run");
        Path tls = target.resolve("tls");
        for (Side side : Side.values()) {
            keycloaks.put(side, new Keycloak(side, target.resolve("kc-" + side.id), runDir, tls.resolve("doc-host.pem"),
                    options.startTimeoutSeconds));
        }
        Thread hook = new Thread(this::stopAll, "bench-stop-keycloaks");
        Runtime.getRuntime().addShutdownHook(hook);
        long begin = System.nanoTime();
        try {
            startup();
            if (needs("token") || needs("authorize") || needs(Options.CONSENT_ONLY)) {
                Map<Side, BenchRealm> bench = createRealms("bench", 10, Duration.ofSeconds(Math.max(120, options.setupTimeoutSeconds)));
                if (needs("token")) {
                    freshJvms("token");
                    Result.Scenario code = new Result.Scenario("token-code", "token",
                            "authorization code + exchange (admin-made client, session)");
                    Result.Scenario refresh = new Result.Scenario("token-refresh", "token",
                            "refresh grant (admin-made client)");
                    for (int fork = 1; fork <= options.forks; fork++) {
                        if (fork > 1 || options.freshFirstFork) {
                            restartBoth("fork " + fork);
                        }
                        if (options.tokenKinds.contains("code")) {
                            guarded("token-code", () -> tokenCode(code, bench, BenchRealm.ADMIN_CLIENT));
                        }
                        if (options.tokenKinds.contains("refresh")) {
                            guarded("token-refresh", () -> tokenRefresh(refresh, bench, BenchRealm.ADMIN_CLIENT));
                        }
                    }
                }
                if (needs("authorize")) {
                    freshJvms("authorize-login-page");
                    guarded("authorize-login-page", () -> loginPage(bench));
                }
                if (needs("authorize") || needs(Options.CONSENT_ONLY)) {
                    freshJvms("consent-page");
                    guarded("consent-page", () -> consentPage(new Result.Scenario("consent-page", "authorize",
                            "consent page render (dynamic client, session)"), bench));
                }
            }
            if (needs("register")) {
                freshJvms("register");
                Map<Side, BenchRealm> reg = createRealms("reg", 10, Duration.ofSeconds(Math.max(120, options.setupTimeoutSeconds)));
                guarded("register", () -> register(new Result.Scenario("register", "register",
                        "anonymous dynamic client registration"), reg));
            }
            if (needs("cimd")) {
                freshJvms("cimd");
                guarded("cimd", this::cimd);
            }
            if (needs("scale")) {
                freshJvms("scale");
                scale();
            }
            if (needs("startup")) {
                for (Side side : Side.values()) {
                    result.startup.get(side.id).rssAfterLoadMiB = Result.round(keycloaks.get(side).rssMiB(), 1);
                }
            }
        } catch (BenchException | IllegalStateException e) {
            result.failures.add(e.getMessage());
            System.err.println("[bench] FAILED: " + e.getMessage());
        } finally {
            stopAll();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // already shutting down
            }
            if (docHost != null) {
                docHost.close();
            }
        }
        result.settings.put("totalSeconds", Result.round((System.nanoTime() - begin) / 1e9, 1));
        try {
            Report report = new Report(result, options);
            report.write(out);
            System.out.println();
            System.out.println(report.markdown());
            System.out.println("[bench] results in " + out);
            if (options.publish) {
                report.publish(options.root.resolve("docs/bench"));
                System.out.println("[bench] charts and table copied to docs/bench/");
            }
        } catch (IOException e) {
            System.err.println("[bench] cannot write results: " + e);
            return 1;
        }
        if (!result.failures.isEmpty()) {
            System.err.println("[bench] functional failures:");
            result.failures.forEach(f -> System.err.println("  - " + f));
            return 1;
        }
        return 0;
    }

    private boolean needs(String scenario) {
        return options.scenarios.contains(scenario);
    }

    private void guarded(String id, Runnable scenario) {
        try {
            scenario.run();
        } catch (BenchException | IllegalStateException e) {
            String message = id + ": " + e.getMessage();
            result.failures.add(message);
            System.err.println("[bench] FAILED " + message);
            result.scenarios.stream().filter(s -> s.id.equals(id) && "not run".equals(s.status))
                    .forEach(s -> {
                        s.status = "failed";
                        s.sides.values().forEach(Result.SideFigures::finish);
                    });
        }
    }

    // --- machine, jar, start-up --------------------------------------------------------------------------------------

    private void describeMachine() {
        result.machine.put("cpus", Runtime.getRuntime().availableProcessors());
        result.machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        result.machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    result.machine.put("cpuModel", line.substring(line.indexOf(':') + 1).trim());
                    break;
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal")) {
                    result.machine.put("memoryMiB", Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024);
                    break;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: fewer details
        }
        result.machine.put("keycloak", options.keycloakVersion);
        result.machine.put("date", LocalDateTime.now().toString());
        result.settings.put("smoke", options.smoke);
        result.settings.put("scenarios", List.copyOf(options.scenarios));
        result.settings.put("rounds", options.rounds);
        result.settings.put("forks", options.forks);
        result.settings.put("roundSeconds", options.roundSeconds);
        result.settings.put("warmupSeconds", options.warmupSeconds);
        result.settings.put("jitWarmupSeconds", options.jitWarmupSeconds);
        result.settings.put("concurrency", options.concurrency);
        result.settings.put("scales", options.scales);
        result.settings.put("setupTimeoutSeconds", options.setupTimeoutSeconds);
        try (ZipFile zip = new ZipFile(options.providerJar.toFile())) {
            long size = Files.size(options.providerJar);
            long classes = zip.stream().filter(e -> e.getName().endsWith(".class")).count();
            long foreign = zip.stream().filter(e -> e.getName().endsWith(".class"))
                    .filter(e -> !e.getName().startsWith("io/github/mcpauthz/")).count();
            result.jar.put("file", options.providerJar.getFileName().toString());
            result.jar.put("bytes", size);
            result.jar.put("kib", Result.round(size / 1024.0, 1));
            result.jar.put("classes", classes);
            result.jar.put("classesOutsideIoGithubMcpauthz", foreign);
        } catch (IOException e) {
            result.jar.put("error", e.toString());
        }
    }

    private void startup() {
        // A smoke run starts both at once (its start-up figures are not meaningful anyway); otherwise one after the
        // other, so that each start has the machine to itself.
        List<Thread> starting = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<RuntimeException> failure = new java.util.concurrent.atomic.AtomicReference<>();
        for (Side side : Side.values()) {
            Result.Startup startup = new Result.Startup();
            result.startup.put(side.id, startup);
            Runnable start = () -> {
                try {
                    System.out.printf("[bench] starting %s ...%n", side.label);
                    startup.firstStartSeconds = Result.round(keycloaks.get(side).start(), 2);
                    startup.firstStarts.add(startup.firstStartSeconds);
                    System.out.printf("[bench] %s ready in %.1f s (%s)%n", side.id, startup.firstStartSeconds,
                            keycloaks.get(side).baseUrl());
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
            };
            if (options.smoke) {
                Thread thread = new Thread(start, "start-" + side.id);
                thread.start();
                starting.add(thread);
            } else {
                start.run();
                if (failure.get() != null) {
                    throw failure.get();
                }
            }
        }
        for (Thread thread : starting) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BenchException("interrupted", e);
            }
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        result.settings.put("startedInParallel", options.smoke);
        result.settings.put("firstStarts", options.firstStarts);
        if (needs("startup")) {
            // More first starts, the sides taking turns (the second pair in the other order): one start each is at
            // the mercy of what the machine does in those 30 s (the jar's first start ranged from 1 s under stock's
            // to 2.9 s over it in three runs of one day).
            Path distribution = options.root.resolve("bench/target/dist/keycloak-" + options.keycloakVersion);
            for (int i = 1; i < options.firstStarts; i++) {
                List<Side> order = i % 2 == 1 ? List.of(Side.JAR, Side.STOCK) : List.of(Side.STOCK, Side.JAR);
                for (Side side : order) {
                    Keycloak kc = keycloaks.get(side);
                    kc.stop();
                    kc.makeFresh(distribution);
                    double seconds = kc.start();
                    Result.Startup startup = result.startup.get(side.id);
                    startup.firstStarts.add(Result.round(seconds, 2));
                    System.out.printf("[bench] %s first start %d (fresh database, build) in %.1f s%n", side.id, i + 1,
                            seconds);
                }
            }
            for (Result.Startup startup : result.startup.values()) {
                double[] starts = startup.firstStarts.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                startup.firstStartSeconds = Result.round(starts.length % 2 == 1 ? starts[starts.length / 2]
                        : (starts[starts.length / 2 - 1] + starts[starts.length / 2]) / 2, 2);
            }
            for (int i = 0; i < options.restarts; i++) {
                List<Side> order = i % 2 == 0 ? List.of(Side.STOCK, Side.JAR) : List.of(Side.JAR, Side.STOCK);
                for (Side side : order) {
                    Keycloak kc = keycloaks.get(side);
                    kc.stop();
                    double seconds = kc.start();
                    result.startup.get(side.id).restartSeconds.add(Result.round(seconds, 2));
                    System.out.printf("[bench] %s restarted in %.1f s%n", side.id, seconds);
                }
            }
            Keycloak.sleep(3000);
            for (Side side : Side.values()) {
                result.startup.get(side.id).rssAfterStartMiB = Result.round(keycloaks.get(side).rssMiB(), 1);
            }
        }
    }

    private void stopAll() {
        for (Keycloak kc : keycloaks.values()) {
            try {
                kc.stop();
            } catch (RuntimeException e) {
                System.err.println("[bench] stopping " + kc.side.id + ": " + e);
            }
        }
    }

    // --- realms ------------------------------------------------------------------------------------------------------

    private Map<Side, BenchRealm> createRealms(String name, int servers, Duration timeout) {
        return createRealms(name, servers, timeout, false);
    }

    /**
     * Sets up the realm on each side. With {@code jarAloneIfStockFails}, a stock side whose set-up fails (not one that
     * times out: that Keycloak would still be busy) is left out and the jar side is measured alone; the output says so,
     * with stock's error.
     */
    private Map<Side, BenchRealm> createRealms(String name, int servers, Duration timeout, boolean jarAloneIfStockFails) {
        Map<Side, BenchRealm> realms = new EnumMap<>(Side.class);
        for (Side side : Side.values()) {
            BenchRealm realm = new BenchRealm(keycloaks.get(side), name, servers);
            Result.Setup setup = new Result.Setup();
            setup.realm = name;
            setup.side = side.id;
            setup.servers = servers;
            result.setups.add(setup);
            long begin = System.nanoTime();
            try {
                realm.create(timeout);
            } catch (BenchRealm.SetupTimeout | BenchException e) {
                boolean timedOut = e instanceof BenchRealm.SetupTimeout || e.getCause() instanceof HttpTimeoutException;
                if (!timedOut && jarAloneIfStockFails && side == Side.STOCK) {
                    setup.status = "failed while " + realm.setup.status + ": " + e.getMessage()
                            + " (the jar is measured alone at this scale)";
                    copy(realm.setup, setup);
                    String note = name + ": stock Keycloak could not be set up (" + realm.setup.status + ": "
                            + e.getMessage() + "); the jar is measured alone at this scale";
                    result.notes.add(note);
                    System.out.println("[bench] " + note);
                    restartAfterFailedSetup(name);
                    continue;
                }
                if (!timedOut) {
                    setup.status = "failed while " + realm.setup.status + ": " + e.getMessage();
                    copy(realm.setup, setup);
                    throw e;
                }
                setup.status = String.format("timed out after %.0f s while %s", (System.nanoTime() - begin) / 1e9,
                        realm.setup.status);
                copy(realm.setup, setup);
                throw new SetupTimedOut(setup.status);
            } finally {
                if (setup.status == null) {
                    setup.status = realm.setup.status;
                    copy(realm.setup, setup);
                }
            }
            System.out.printf("[bench] realm %s (%d servers) on %s: import %.1f s, enable %s, one more server %.2f s%s, "
                            + "a new client has %d optional scopes%n", name, servers, side.id, realm.setup.importSeconds,
                    Double.isNaN(realm.setup.enableSeconds) ? "-" : String.format("%.1f s", realm.setup.enableSeconds),
                    realm.setup.addOneSeconds, Double.isNaN(realm.setup.addOneComponentSeconds) ? ""
                            : String.format(" (console's component create: %.2f s)", realm.setup.addOneComponentSeconds),
                    realm.setup.optionalScopesOfNewClient);
            realms.put(side, realm);
        }
        return realms;
    }

    /**
     * Before a scenario: both Keycloaks restarted when an earlier scenario has run in their JVMs
     * ({@code --no-scenario-restarts} keeps them). A scenario leaves its authentication and user sessions in the heap,
     * each side as many as it served, so a later scenario would run on heaps filled unequally: on 4 December, after the
     * token forks and the authorization-endpoint and consent scenarios in the same JVMs, stock's old generation was
     * 99.96 % full and the jar's 82 % (jstat), and registration's rounds went from 0.64x to 1.33x.
     */
    private void freshJvms(String scenario) {
        if (options.scenarioRestarts && measuredSinceStart) {
            restartBoth("before " + scenario);
        }
        measuredSinceStart = true;
    }

    /**
     * Both Keycloaks stopped and started again (their realms stay in H2), the sides taking turns at going first, so
     * the next rounds run in new JVMs, with the JIT's and the heap's layout drawn again. Between the token scenario's
     * forks: one JVM start per side moved the token ratios by 3-6 % from one run to the next (3 December), more than the
     * target's margin.
     */
    private void restartBoth(String why) {
        List<Side> order = ++restarts % 2 == 0 ? List.of(Side.JAR, Side.STOCK) : List.of(Side.STOCK, Side.JAR);
        for (Side side : order) {
            Keycloak kc = keycloaks.get(side);
            kc.stop();
            double seconds = kc.start();
            System.out.printf(Locale.ROOT, "[bench] %s: %s restarted in %.1f s%n", why, side.id, seconds);
        }
    }

    /**
     * Stock's failed import of a large realm ran into Keycloak's transaction timeout (300 s), whose reaper interrupts
     * the request's thread, which closes H2's database: every later request of that Keycloak then fails ("The database
     * has been closed"). A restart opens the database again (the import was rolled back; the realms set up before it
     * are there), so the smaller scales' realms can still be measured on stock.
     */
    private void restartAfterFailedSetup(String realm) {
        Keycloak stock = keycloaks.get(Side.STOCK);
        stock.stop();
        double seconds = stock.start();
        String note = realm + ": stock Keycloak restarted after that failed set-up (" + String.format(Locale.ROOT,
                "%.1f s", seconds) + "): the transaction timeout that ended the import also closed its H2 database";
        result.notes.add(note);
        System.out.println("[bench] " + note);
    }

    private static void copy(BenchRealm.Setup from, Result.Setup to) {
        to.importSeconds = nan(from.importSeconds);
        to.enableSeconds = nan(from.enableSeconds);
        to.addOneServerSeconds = nan(from.addOneSeconds);
        to.addOneComponentSeconds = nan(from.addOneComponentSeconds);
        to.optionalScopesOfNewClient = from.optionalScopesOfNewClient < 0 ? null : from.optionalScopesOfNewClient;
    }

    private static Double nan(double value) {
        return Double.isNaN(value) ? null : Result.round(value, 2);
    }

    static final class SetupTimedOut extends RuntimeException {
        SetupTimedOut(String message) {
            super(message);
        }
    }

    // --- scenarios -----------------------------------------------------------------------------------------------------

    private Result.Scenario add(Result.Scenario scenario) {
        if (result.scenarios.contains(scenario)) {
            return scenario; // a later fork of the same scenario
        }
        result.scenarios.add(scenario);
        System.out.println("[bench] scenario " + scenario.id + ": " + scenario.title);
        return scenario;
    }

    private void measure(Result.Scenario scenario, Map<Side, BenchRealm> realms,
                         Function<BenchRealm, Runner.Workload> workload) {
        add(scenario);
        Map<Side, Runner.Workload> workloads = new EnumMap<>(Side.class);
        realms.forEach((side, realm) -> workloads.put(side, workload.apply(realm)));
        runner.run(scenario, workloads);
        scenario.computeRatios();
    }

    /** Authorization request with the session (302 with a code at once) + code exchange, as one operation. */
    private void tokenCode(Result.Scenario scenario, Map<Side, BenchRealm> realms, String clientId) {
        measure(scenario, realms, codeWorkload(clientId));
    }

    private Function<BenchRealm, Runner.Workload> codeWorkload(String clientId) {
        return realm -> index -> {
            Browser browser = new Browser();
            realm.checkAudience(realm.exchange(browser.http, clientIdOf(realm, clientId), browser.login(realm,
                    clientIdOf(realm, clientId)), browser.verifier), "code exchange after login");
            return check -> {
                String client = clientIdOf(realm, clientId);
                BenchRealm.Tokens tokens = realm.exchange(browser.http, client, browser.codeFromSession(realm, client),
                        browser.verifier);
                if (check) {
                    realm.checkAudience(tokens, "code exchange");
                }
            };
        };
    }

    /** Refresh grant; each worker keeps its own refresh token and always uses the newest one. */
    private void tokenRefresh(Result.Scenario scenario, Map<Side, BenchRealm> realms, String clientId) {
        measure(scenario, realms, refreshWorkload(clientId));
    }

    private Function<BenchRealm, Runner.Workload> refreshWorkload(String clientId) {
        return realm -> index -> {
            Browser browser = new Browser();
            String client = clientIdOf(realm, clientId);
            BenchRealm.Tokens first = realm.exchange(browser.http, client, browser.login(realm, client), browser.verifier);
            realm.checkAudience(first, "code exchange after login");
            String[] refresh = {first.refresh()};
            return check -> {
                BenchRealm.Tokens tokens = realm.refresh(browser.http, client, refresh[0]);
                refresh[0] = tokens.refresh();
                if (check) {
                    realm.checkAudience(tokens, "refresh");
                }
            };
        };
    }

    /** GET of the authorization endpoint without a session, up to the login page. */
    private void loginPage(Map<Side, BenchRealm> realms) {
        measure(new Result.Scenario("authorize-login-page", "authorize",
                "authorization endpoint up to the login page (no session)"), realms, realm -> index -> {
            HttpClient http = Web.client(false);
            String challenge = Web.s256(Web.randomToken(32));
            return check -> expectLoginPage(Web.get(http, realm.authorizationUrl(BenchRealm.ADMIN_CLIENT,
                    BenchRealm.REDIRECT, challenge)), realm, "authorization request");
        });
    }

    private static void expectLoginPage(HttpResponse<String> response, BenchRealm realm, String what) {
        if (response.statusCode() != 200 || !response.body().contains("kc-form-login")) {
            throw new BenchException(realm.side().id + " " + what + ": expected the login page, got "
                    + response.statusCode() + " " + Web.abbreviate(response.body()));
        }
    }

    /**
     * The consent page of a dynamic client no one consented to, for a user with a session (made with the admin-made
     * client, which needs no consent): every request renders it again.
     */
    private void consentPage(Result.Scenario scenario, Map<Side, BenchRealm> realms) {
        measure(scenario, realms, consentWorkload());
    }

    /** Registers the realm's consent-page client when the workload is made (once per realm and scenario). */
    private Function<BenchRealm, Runner.Workload> consentWorkload() {
        return realm -> {
            String client = realm.register(Web.client(false), "Consent page client");
            return index -> consentWorker(realm, client);
        };
    }

    private static Runner.Worker consentWorker(BenchRealm realm, String client) {
        Browser browser = new Browser();
        browser.login(realm, BenchRealm.ADMIN_CLIENT);
        // One request before the load (workers are made one after the other): the jar attaches the server's
        // consent scope to the client on its first authorization request, and concurrent first requests of one
        // client race there (ModelDuplicateException, a 400 page; seen with keycloak-mcp-authz at aef60b2).
        browser.followToPage(realm.authorizationUrl(client, BenchRealm.REDIRECT, browser.challenge));
        return check -> {
            HttpResponse<String> page = browser.followToPage(realm.authorizationUrl(client, BenchRealm.REDIRECT,
                    browser.challenge));
            if (page.statusCode() != 200 || !page.body().contains("login-actions/consent")) {
                throw new BenchException(realm.side().id + " consent page: got " + page.statusCode() + " "
                        + Web.location(page).orElse("") + " " + Web.abbreviate(page.body()));
            }
            if (check && Browser.consentForm(org.jsoup.Jsoup.parse(page.body(), page.uri().toString())) == null) {
                throw new BenchException(realm.side().id + " consent page without a consent form");
            }
        };
    }

    private void register(Result.Scenario scenario, Map<Side, BenchRealm> realms) {
        measure(scenario, realms, registerWorkload());
    }

    private static Function<BenchRealm, Runner.Workload> registerWorkload() {
        return realm -> index -> {
            HttpClient http = Web.client(false);
            return check -> realm.register(http, "Benchmark MCP client");
        };
    }

    private void cimd() {
        docHost = new DocHost(target.resolve("tls/doc-host.p12"));
        Map<Side, BenchRealm> realms = new EnumMap<>(Side.class);
        BenchRealm realm = new BenchRealm(keycloaks.get(Side.JAR), "cimd", 10);
        realm.create(Duration.ofSeconds(Math.max(120, options.setupTimeoutSeconds)));
        realm.allowLoopbackDocuments();
        realms.put(Side.JAR, realm);
        measure(new Result.Scenario("cimd-first-fetch", "cimd",
                "CIMD: authorization request with a new client_id URL (fetch + client creation) up to the login page"),
                realms, r -> index -> {
                    HttpClient http = Web.client(false);
                    String challenge = Web.s256(Web.randomToken(32));
                    return check -> {
                        String url = docHost.url("first-" + Web.randomToken(9).replace('_', 'x').replace('-', 'y'));
                        expectLoginPage(Web.get(http, r.authorizationUrl(url, BenchRealm.REDIRECT, challenge)), r,
                                "CIMD first fetch");
                        if (check && docHost.hits(url) != 1) {
                            throw new BenchException("CIMD first fetch: document fetched " + docHost.hits(url) + " times");
                        }
                    };
                });
        measure(new Result.Scenario("cimd-cached", "cimd",
                "CIMD: authorization request with a known client_id URL (cached document) up to the login page"),
                realms, r -> index -> {
                    HttpClient http = Web.client(false);
                    String challenge = Web.s256(Web.randomToken(32));
                    String url = docHost.url("cached-" + index + "-" + Web.randomToken(6).replace('_', 'x').replace('-', 'y'));
                    expectLoginPage(Web.get(http, r.authorizationUrl(url, BenchRealm.REDIRECT, challenge)), r,
                            "CIMD first request");
                    return check -> {
                        expectLoginPage(Web.get(http, r.authorizationUrl(url, BenchRealm.REDIRECT, challenge)), r,
                                "CIMD cached");
                        if (check && docHost.hits(url) != 1) {
                            throw new BenchException("CIMD cached: document fetched " + docHost.hits(url) + " times");
                        }
                    };
                });
        // Only the jar runs CIMD, and its authorization requests leave one authentication session each (some 140,000
        // in a full run, about 260 MB of heap for their 30 minutes' lifespan). Deleting the realm removes them, so the
        // scenarios after this one do not pay that heap's garbage collection on the jar's side alone.
        long deleting = System.nanoTime();
        realm.delete(Duration.ofSeconds(300)); // Keycloak's own transaction timeout: waiting longer gains nothing
        System.out.printf("[bench] realm %s deleted on jar in %.1f s (its authentication sessions with it)%n",
                realm.name, (System.nanoTime() - deleting) / 1e9);
    }

    /** A measurement of the scale scenario: the part of its id after {@code scale-N}, its title, its workload. */
    private record ScaleKind(String suffix, String title, Function<BenchRealm, Runner.Workload> workload) {
    }

    /**
     * Per scale: realms with N servers of two scopes each; clients made after the servers exist. Every scale's realms
     * are set up first; then each measurement takes turns round by round over all scales and both sides (one
     * {@link Runner.Lane} each), so that the largest scale is compared with the smallest under the same machine
     * conditions (a 2-core machine's speed drifts by more than the 5 % the target allows within half an hour).
     */
    private void scale() {
        List<ScaleKind> kinds = Stream.of(
                new ScaleKind("-admin-refresh", "refresh grant, admin-made client", refreshWorkload(BenchRealm.ADMIN_CLIENT)),
                new ScaleKind("-dcr-refresh", "refresh grant, dynamic client", refreshWorkload(DYNAMIC)),
                new ScaleKind("-dcr-code", "authorization code + exchange, dynamic client", codeWorkload(DYNAMIC)),
                new ScaleKind("-consent-page", "consent page render, dynamic client", consentWorkload()),
                new ScaleKind("-register", "anonymous dynamic client registration", registerWorkload()))
                .filter(kind -> options.scaleKinds.contains(kind.suffix().substring(1))).toList();
        Map<String, Map<Side, BenchRealm>> ready = new java.util.LinkedHashMap<>();
        String skipped = null;
        for (int servers : options.scales) {
            String prefix = "scale-" + servers;
            if (skipped != null) {
                notMeasured(prefix, kinds, skipped);
                continue;
            }
            Map<Side, BenchRealm> realms;
            try {
                realms = createRealms(prefix, servers, Duration.ofSeconds(options.setupTimeoutSeconds), true);
            } catch (SetupTimedOut e) {
                System.out.println("[bench] " + prefix + ": set-up " + e.getMessage() + "; larger scales skipped");
                notMeasured(prefix, kinds, "setup timed out");
                skipped = "skipped (a smaller scale's set-up timed out)";
                continue;
            } catch (BenchException e) {
                result.failures.add(prefix + " set-up: " + e.getMessage());
                System.err.println("[bench] FAILED " + prefix + " set-up: " + e.getMessage());
                continue;
            }
            realms.values().forEach(r -> dynamicRegistry.put(r, r.register(Web.client(false), "Benchmark MCP client")));
            ready.put(prefix, realms);
            // The scale realms stay until the Keycloaks stop. Deleting one after its registration rounds (15,000 to
            // 20,000 clients) takes 5-6 minutes on H2, past Keycloak's transaction timeout of 300 s, whose reaper then
            // interrupts the request's thread and so closes H2's database (3 December). A longer timeout is no way
            // out either: stock's import of 10,000 servers, which fails at 300 s, then runs past the set-up timeout.
            // Both sides keep theirs, with about as many clients at the scales both sides measure.
        }
        result.settings.put("scaleRoundsInterleaved", true);
        result.settings.put("scaleKinds", options.scaleKinds);
        result.settings.put("tokenKinds", options.tokenKinds);
        result.settings.put("freshFirstFork", options.freshFirstFork);
        result.settings.put("scenarioRestarts", options.scenarioRestarts);
        result.settings.put("scaleRounds", options.scaleRounds);
        result.settings.put("scaleRoundSeconds", options.scaleRoundSeconds);
        // Listed scale by scale (the report's order); measured kind by kind, all scales together.
        Map<String, Result.Scenario> scenarioById = new java.util.HashMap<>();
        ready.keySet().forEach(prefix -> kinds.forEach(kind -> scenarioById.put(prefix + kind.suffix(),
                add(new Result.Scenario(prefix + kind.suffix(), prefix, kind.title())))));
        for (ScaleKind kind : kinds) {
            List<Runner.Lane> lanes = new ArrayList<>();
            List<Result.Scenario> scenarios = new ArrayList<>();
            String label = "scale-*" + kind.suffix();
            try {
                ready.forEach((prefix, realms) -> {
                    Result.Scenario scenario = scenarioById.get(prefix + kind.suffix());
                    scenarios.add(scenario);
                    realms.forEach((side, realm) -> lanes.add(new Runner.Lane(scenario, side,
                            kind.workload().apply(realm))));
                });
                System.out.println("[bench] " + label + ": " + lanes.size() + " lanes (scales and sides) take turns");
                runner.run(lanes, options.scaleRounds, options.scaleRoundSeconds);
                scenarios.forEach(Result.Scenario::computeRatios);
            } catch (BenchException | IllegalStateException e) {
                String message = label + ": " + e.getMessage();
                result.failures.add(message);
                System.err.println("[bench] FAILED " + message);
                for (Result.Scenario scenario : scenarios) {
                    scenario.status = "failed";
                    scenario.sides.values().forEach(Result.SideFigures::finish);
                }
            }
        }
    }

    private void notMeasured(String prefix, List<ScaleKind> kinds, String status) {
        for (ScaleKind kind : kinds) {
            Result.Scenario scenario = new Result.Scenario(prefix + kind.suffix(), prefix, kind.title());
            scenario.status = status;
            result.scenarios.add(scenario);
        }
    }

    /** Stands for "the realm's dynamic client registered after the servers" in {@link #clientIdOf}. */
    private static final String DYNAMIC = "<dynamic>";
    private final Map<BenchRealm, String> dynamicRegistry = new java.util.concurrent.ConcurrentHashMap<>();

    private String clientIdOf(BenchRealm realm, String clientId) {
        if (!DYNAMIC.equals(clientId)) {
            return clientId;
        }
        String id = dynamicRegistry.get(realm);
        if (id == null) {
            throw new IllegalStateException("no dynamic client in " + realm.name);
        }
        return id;
    }
}
