package io.github.mcpauthz.it.compose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code docker-compose.yml} and its {@code Dockerfile} stay the production recipe, checked without Docker: the
 * image is built once for PostgreSQL with the jar this build makes and the Keycloak version the tests run, the
 * container starts {@code --optimized} with a fixed hostname, no build-time option is set at run time, and the
 * database settings of Keycloak and PostgreSQL match. ({@code docker-compose config -q} checks the syntax in CI.)
 */
class ComposeFileTest {

    private static Path repo;
    private static JsonNode compose;
    private static String dockerfile;

    @BeforeAll
    static void read() throws IOException {
        repo = Path.of(System.getProperty("repo.dir", "..")).toAbsolutePath().normalize();
        compose = new ObjectMapper(new YAMLFactory()).readTree(repo.resolve("docker-compose.yml").toFile());
        dockerfile = Files.readString(repo.resolve("Dockerfile"));
    }

    @Test
    void keycloakIsBuiltOnceForPostgresWithTheJarOfThisBuildAndTheTestedVersion() throws IOException {
        JsonNode keycloak = compose.path("services").path("keycloak");
        assertEquals(".", keycloak.path("build").path("context").asText(), keycloak::toString);
        assertEquals("Dockerfile", keycloak.path("build").path("dockerfile").asText(), keycloak::toString);

        String version = System.getProperty("keycloak.version", "26.7.3");
        assertEquals(version, match(dockerfile, "(?m)^ARG KEYCLOAK_VERSION=(\\S+)$"), "Keycloak version of the image");
        assertEquals(2, count(dockerfile, "(?m)^FROM quay\\.io/keycloak/keycloak:\\$\\{KEYCLOAK_VERSION}"),
                "builder and final stage on the official image");
        assertEquals("postgres", match(dockerfile, "(?m)^ENV KC_DB=(\\S+)$"));
        assertEquals("true", match(dockerfile, "(?m)^ENV KC_HEALTH_ENABLED=(\\S+)$"), "health on port 9000");
        assertTrue(dockerfile.contains("RUN /opt/keycloak/bin/kc.sh build"), "the image runs kc.sh build");
        String jar = "providers/target/keycloak-mcp-authz-" + System.getProperty("project.version", "0.1.0-SNAPSHOT")
                + ".jar";
        assertEquals(jar, match(dockerfile, "(?m)^COPY (\\S+) /opt/keycloak/providers/keycloak-mcp-authz\\.jar$"),
                "the jar this build makes");
        assertTrue(Files.readString(repo.resolve(".dockerignore")).contains("!" + jar),
                ".dockerignore lets the jar into the build context");
        assertTrue(dockerfile.contains("CMD [\"start\", \"--optimized\"]"), "the image starts optimized");
    }

    @Test
    void keycloakStartsOptimizedWithAFixedHostnameAndOnlyRunTimeOptions() {
        JsonNode keycloak = compose.path("services").path("keycloak");
        List<String> command = strings(keycloak.path("command"));
        assertEquals("start", command.get(0), command::toString);
        assertTrue(command.contains("--optimized"), command::toString);
        assertTrue(command.contains("--import-realm"), command::toString);
        assertTrue(command.stream().anyMatch(o -> o.matches("--hostname=https?://[^/]+")), "fixed hostname: " + command);
        assertFalse(command.contains("--hostname-strict=false"), command::toString);
        // Build-time options given at run time would not take effect with --optimized (or trigger a rebuild).
        for (String buildOption : List.of("KC_DB", "KC_HEALTH_ENABLED", "KC_FEATURES", "KC_FEATURES_DISABLED",
                "KC_CACHE", "KC_METRICS_ENABLED")) {
            assertFalse(keycloak.path("environment").has(buildOption), buildOption + " belongs in the Dockerfile");
        }
        assertFalse(command.stream().anyMatch(o -> o.startsWith("--db=") || o.startsWith("--features")
                || o.startsWith("--health")), "build options in the command: " + command);
        assertTrue(keycloak.path("healthcheck").path("test").toString().contains("/dev/tcp/localhost/9000"),
                "health check on the management port");
        JsonNode volumes = keycloak.path("volumes");
        assertEquals(1, volumes.size(), "only the realm import is mounted (the jar is in the image): " + volumes);
        assertEquals("./realm-exports", volumes.get(0).path("source").asText());
        assertEquals("/opt/keycloak/data/import", volumes.get(0).path("target").asText());
        assertTrue(Files.isRegularFile(repo.resolve("realm-exports/mcp-realm.json")));
    }

    @Test
    void keycloakUsesThePostgresServiceWithItsCredentialsAfterItIsHealthy() {
        JsonNode postgres = compose.path("services").path("postgres");
        JsonNode keycloak = compose.path("services").path("keycloak");
        assertTrue(postgres.path("image").asText().matches("postgres:\\d+"), postgres::toString);
        JsonNode pg = postgres.path("environment");
        JsonNode kc = keycloak.path("environment");
        assertEquals("jdbc:postgresql://postgres:5432/" + pg.path("POSTGRES_DB").asText(), kc.path("KC_DB_URL").asText());
        assertEquals(pg.path("POSTGRES_USER").asText(), kc.path("KC_DB_USERNAME").asText());
        assertEquals(pg.path("POSTGRES_PASSWORD").asText(), kc.path("KC_DB_PASSWORD").asText());
        assertEquals("service_healthy", keycloak.path("depends_on").path("postgres").path("condition").asText());
        assertTrue(postgres.path("healthcheck").path("test").toString().contains("pg_isready"));
        assertTrue(compose.path("volumes").has("postgres-data"));
    }

    private static String match(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertTrue(matcher.find(), "no match for " + regex);
        return matcher.group(1);
    }

    private static int count(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (matcher.find()) {
            n++;
        }
        return n;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
            out.add(it.next().asText());
        }
        return out;
    }
}
