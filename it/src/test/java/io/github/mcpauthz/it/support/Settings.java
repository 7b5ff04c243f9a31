package io.github.mcpauthz.it.support;

import java.nio.file.Path;

/**
 * What the pom passes to the test JVM (see the failsafe executions in it/pom.xml). The defaults let a test run from an
 * IDE with the it module as working directory after one {@code mvn verify} has unpacked the distribution.
 */
public record Settings(
        String runtime,
        String variant,
        String features,
        String keycloakVersion,
        Path workDir,
        Path distDir,
        Path providerJar,
        Path realmFile,
        int startTimeoutSeconds) {

    public static final String ADMIN_USERNAME = "admin";
    public static final String ADMIN_PASSWORD = "admin";

    static Settings fromSystemProperties() {
        String version = property("keycloak.version", "26.7.3");
        Path work = Path.of(property("kc.work.dir", "target")).toAbsolutePath().normalize();
        String features = property("kc.features", "").trim();
        String runtime = property("kc.runtime", "dist").trim();
        return new Settings(
                runtime,
                property("kc.variant", runtime.equals("container") ? "container" : features.isEmpty() ? "off" : "on"),
                features,
                version,
                work,
                Path.of(property("kc.dist.dir", work.resolve("keycloak-" + version).toString())),
                Path.of(property("kc.provider.jar", work.resolve("providers/keycloak-mcp-authz.jar").toString())),
                Path.of(property("mcp.realm.file", "../realm-exports/mcp-realm.json")).toAbsolutePath().normalize(),
                Integer.parseInt(property("kc.start.timeout", "180")));
    }

    private static String property(String name, String fallback) {
        String value = System.getProperty(name);
        return value == null ? fallback : value;
    }
}
