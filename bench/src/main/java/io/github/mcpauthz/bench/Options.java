package io.github.mcpauthz.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Command-line options of bench/run.sh (the script adds --root, --keycloak-version, --provider-jar). */
final class Options {

    static final List<String> ALL_SCENARIOS = List.of("token", "scale", "register", "authorize", "cimd", "startup");
    /** A scenario name outside the default set: the consent page alone (part of "authorize"), for profiling it. */
    static final String CONSENT_ONLY = "consent";
    /** The scale scenario's measurements, in the order they run. */
    static final List<String> SCALE_KINDS = List.of("admin-refresh", "dcr-refresh", "dcr-code", "consent-page", "register");
    /** The token scenario's measurements. */
    static final List<String> TOKEN_KINDS = List.of("code", "refresh");

    Path root;
    String keycloakVersion;
    Path providerJar;
    boolean smoke;
    boolean publish;
    boolean reuseDist;
    Set<String> scenarios = new LinkedHashSet<>(ALL_SCENARIOS);
    int rounds = 3;
    /**
     * JVM starts per side for the token scenario (both Keycloaks restarted between forks); its figures pool every
     * fork's rounds. A JVM start moves a ratio by a few percent, the margin of the token targets.
     */
    int forks = 3;
    /**
     * Whether the token scenario's first fork also runs in new JVMs (both Keycloaks restarted after the realm set-up),
     * rather than in the JVMs that imported and set up the realms.
     */
    boolean freshFirstFork;
    /** Both Keycloaks restarted before each scenario that follows another one (off in the smoke). */
    boolean scenarioRestarts = true;
    double roundSeconds = 10;
    double warmupSeconds = 3;
    /** Extra warm-up of each side before a scenario's first round, so that the JIT has compiled the scenario's code. */
    double jitWarmupSeconds = 30;
    int concurrency = 8;
    List<Integer> scales = new ArrayList<>(List.of(10, 1000, 10000));
    /** The scale scenario's measurements (suffixes of {@link #SCALE_KINDS}); all by default. */
    List<String> scaleKinds = new ArrayList<>(SCALE_KINDS);
    /** The token scenario's measurements ({@link #TOKEN_KINDS}); both by default. */
    List<String> tokenKinds = new ArrayList<>(TOKEN_KINDS);
    /**
     * Rounds of the scale scenario: more and shorter than the others', because its figure is a ratio of one side with
     * itself at two scales, taken round by round, and a 5-second round of one lane differs from the next lane's by up to
     * a quarter on this machine: nine pairs give a steady median where three do not.
     */
    int scaleRounds = 9;
    double scaleRoundSeconds = 5;
    int setupTimeoutSeconds = 600;
    int restarts = 1;
    /** First starts per side (fresh database, start-dev's build each time); the figure is their median. */
    int firstStarts = 3;
    int startTimeoutSeconds = 600;
    Path out;

    static Options parse(String[] args) {
        Options o = new Options();
        boolean roundsSet = false;
        boolean forksSet = false;
        boolean secondsSet = false;
        boolean warmupSet = false;
        boolean jitWarmupSet = false;
        boolean scalesSet = false;
        boolean scaleRoundsSet = false;
        boolean scaleSecondsSet = false;
        boolean restartsSet = false;
        boolean firstStartsSet = false;
        boolean timeoutSet = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "--smoke" -> o.smoke = true;
                case "--publish" -> o.publish = true;
                case "--reuse-dist" -> o.reuseDist = true;
                case "--root" -> o.root = Path.of(value != null ? value : args[++i]);
                case "--keycloak-version" -> o.keycloakVersion = value != null ? value : args[++i];
                case "--provider-jar" -> o.providerJar = Path.of(value != null ? value : args[++i]);
                case "--scenarios" -> {
                    o.scenarios = new LinkedHashSet<>(Arrays.asList((value != null ? value : args[++i]).split(",")));
                    for (String s : o.scenarios) {
                        if (!ALL_SCENARIOS.contains(s) && !s.equals(CONSENT_ONLY)) {
                            throw new IllegalArgumentException("unknown scenario " + s + "; known: " + ALL_SCENARIOS
                                    + " and " + CONSENT_ONLY);
                        }
                    }
                }
                case "--rounds" -> {
                    o.rounds = Integer.parseInt(value != null ? value : args[++i]);
                    roundsSet = true;
                }
                case "--fresh-first-fork" -> o.freshFirstFork = true;
                case "--no-scenario-restarts" -> o.scenarioRestarts = false;
                case "--forks" -> {
                    o.forks = Integer.parseInt(value != null ? value : args[++i]);
                    forksSet = true;
                }
                case "--round-seconds" -> {
                    o.roundSeconds = Double.parseDouble(value != null ? value : args[++i]);
                    secondsSet = true;
                }
                case "--warmup-seconds" -> {
                    o.warmupSeconds = Double.parseDouble(value != null ? value : args[++i]);
                    warmupSet = true;
                }
                case "--jit-warmup-seconds" -> {
                    o.jitWarmupSeconds = Double.parseDouble(value != null ? value : args[++i]);
                    jitWarmupSet = true;
                }
                case "--concurrency" -> o.concurrency = Integer.parseInt(value != null ? value : args[++i]);
                case "--scales" -> {
                    o.scales = new ArrayList<>();
                    for (String s : (value != null ? value : args[++i]).split(",")) {
                        o.scales.add(Integer.parseInt(s.trim().replace("_", "")));
                    }
                    scalesSet = true;
                }
                case "--scale-kinds" -> o.scaleKinds = kinds("scale", SCALE_KINDS, value != null ? value : args[++i]);
                case "--token-kinds" -> o.tokenKinds = kinds("token", TOKEN_KINDS, value != null ? value : args[++i]);
                case "--scale-rounds" -> {
                    o.scaleRounds = Integer.parseInt(value != null ? value : args[++i]);
                    scaleRoundsSet = true;
                }
                case "--scale-round-seconds" -> {
                    o.scaleRoundSeconds = Double.parseDouble(value != null ? value : args[++i]);
                    scaleSecondsSet = true;
                }
                case "--setup-timeout" -> {
                    o.setupTimeoutSeconds = Integer.parseInt(value != null ? value : args[++i]);
                    timeoutSet = true;
                }
                case "--restarts" -> {
                    o.restarts = Integer.parseInt(value != null ? value : args[++i]);
                    restartsSet = true;
                }
                case "--first-starts" -> {
                    o.firstStarts = Integer.parseInt(value != null ? value : args[++i]);
                    firstStartsSet = true;
                }
                case "--start-timeout" -> o.startTimeoutSeconds = Integer.parseInt(value != null ? value : args[++i]);
                case "--out" -> o.out = Path.of(value != null ? value : args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (see bench/run.sh --help)");
            }
        }
        if (o.smoke) {
            if (!roundsSet) {
                o.rounds = 1;
            }
            if (!forksSet) {
                o.forks = 1;
            }
            if (!secondsSet) {
                o.roundSeconds = 2;
            }
            if (!warmupSet) {
                o.warmupSeconds = 1;
            }
            if (!jitWarmupSet) {
                o.jitWarmupSeconds = 0;
            }
            o.scenarioRestarts = false;
            if (!scalesSet) {
                o.scales = new ArrayList<>(List.of(10, 100));
            }
            if (!scaleRoundsSet) {
                o.scaleRounds = 1;
            }
            if (!scaleSecondsSet) {
                o.scaleRoundSeconds = o.roundSeconds;
            }
            if (!restartsSet) {
                o.restarts = 0;
            }
            if (!firstStartsSet) {
                o.firstStarts = 1;
            }
            if (!timeoutSet) {
                o.setupTimeoutSeconds = 120;
            }
        }
        if (o.warmupSeconds < 0 || o.jitWarmupSeconds < 0) {
            throw new IllegalArgumentException("--warmup-seconds and --jit-warmup-seconds must not be negative");
        }
        if (o.reuseDist) {
            o.firstStarts = 1; // a kept copy is built already: its first start has no build to measure again
        }
        if (o.firstStarts < 1 || o.forks < 1 || o.rounds < 1 || o.roundSeconds <= 0 || o.scaleRounds < 1
                || o.scaleRoundSeconds <= 0 || o.concurrency < 1) {
            throw new IllegalArgumentException("--first-starts, --forks, --rounds, --round-seconds, --scale-rounds, "
                    + "--scale-round-seconds and --concurrency must be positive");
        }
        return o;
    }

    /** A comma list of {@code known}'s names; an unknown name is refused. */
    private static List<String> kinds(String scenario, List<String> known, String list) {
        List<String> kinds = new ArrayList<>(Arrays.asList(list.split(",")));
        for (String kind : kinds) {
            if (!known.contains(kind)) {
                throw new IllegalArgumentException("unknown " + scenario + " kind " + kind + "; known: " + known);
            }
        }
        return kinds;
    }
}
