package io.github.mcpauthz.it.support;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The one Keycloak of this test JVM, with the provider jar and the sample realm {@value #REALM}.
 *
 * <p>Started lazily by the first test class that needs it and stopped by a shutdown hook, so a failsafe execution
 * (one JVM) pays for one start. The runtime comes from {@code -Dkc.runtime}: {@code dist} (default) runs the official
 * distribution unpacked by Maven, {@code container} runs the official image through Testcontainers.
 */
public abstract class KeycloakEnvironment {

    public static final String REALM = "mcp";

    private static KeycloakEnvironment instance;
    private static String unavailable;
    private static RuntimeException startFailure;

    protected final Settings settings;

    protected KeycloakEnvironment(Settings settings) {
        this.settings = settings;
    }

    /**
     * The running Keycloak. Aborts the calling test (reported as skipped) when the runtime cannot exist on this
     * machine; fails it when Keycloak should have started but did not. Neither is retried.
     */
    public static synchronized KeycloakEnvironment get() {
        if (unavailable != null) {
            Assumptions.abort(unavailable);
        }
        if (startFailure != null) {
            throw new IllegalStateException("Keycloak did not start earlier in this run", startFailure);
        }
        if (instance == null) {
            Settings settings = Settings.fromSystemProperties();
            KeycloakEnvironment candidate = switch (settings.runtime()) {
                case "dist" -> new DistributionKeycloak(settings);
                case "container" -> new ContainerKeycloak(settings);
                case "cluster" -> new ClusterKeycloak(settings);
                default -> throw new IllegalArgumentException("unknown kc.runtime '" + settings.runtime()
                        + "': use dist, container or cluster");
            };
            String reason = candidate.unavailableReason();
            if (reason != null) {
                unavailable = reason;
                Assumptions.abort(reason);
            }
            try {
                candidate.start();
            } catch (RuntimeException e) {
                startFailure = e;
                candidate.stopQuietly();
                throw e;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(candidate::stopQuietly, "keycloak-stop"));
            instance = candidate;
        }
        return instance;
    }

    /** Why the runtime of this run cannot run on this machine, or null (also null before the first {@link #get}). */
    static synchronized String unavailable() {
        return unavailable;
    }

    /** Null when this runtime can run here, else why not (the tests are then skipped with that message). */
    protected String unavailableReason() {
        return null;
    }

    protected abstract void start();

    protected abstract void stop();

    /** Scheme, host and port, no trailing slash, e.g. {@code http://127.0.0.1:41234}. */
    public abstract String baseUrl();

    /** Where Keycloak's own output goes, for failure messages; null when there is no such file. */
    public abstract Path logFile();

    /** {@code <base>/realms/mcp}: what Keycloak puts in {@code iss}. */
    public String issuer() {
        return issuer(REALM);
    }

    public String issuer(String realm) {
        return baseUrl() + "/realms/" + realm;
    }

    /** off / on / container: the failsafe execution this JVM belongs to. */
    public String variant() {
        return settings.variant();
    }

    public String runtime() {
        return settings.runtime();
    }

    /** The value passed to {@code --features}, empty when none. */
    public String features() {
        return settings.features();
    }

    public boolean featureEnabled(String feature) {
        return List.of(features().split(",")).contains(feature);
    }

    /** The Keycloak version under test ({@code -Dkeycloak.version}). */
    public String keycloakVersion() {
        return settings.keycloakVersion();
    }

    /**
     * Null when the extension is active in this Keycloak; else its own reason for being inactive (the {@code inactive}
     * field of {@code GET /admin/realms/mcp/mcp-authz}, the same sentence as its start-up WARN). Asked once.
     */
    public synchronized String inactiveReason() {
        if (inactiveReason == null) {
            HttpResult status = admin().get("/admin/realms/" + REALM + "/mcp-authz");
            if (status.status() != 200) {
                throw new IllegalStateException("cannot read the extension's status: " + status.describe());
            }
            inactiveReason = status.json().path("inactive").asText("");
        }
        return inactiveReason.isEmpty() ? null : inactiveReason;
    }

    private String inactiveReason;

    /** A fresh admin access token: password grant on the master realm, client admin-cli, admin/admin. */
    public String adminToken() {
        HttpResult result = Http.postForm(issuer("master") + "/protocol/openid-connect/token", Map.of(
                "grant_type", List.of("password"),
                "client_id", List.of("admin-cli"),
                "username", List.of(Settings.ADMIN_USERNAME),
                "password", List.of(Settings.ADMIN_PASSWORD)));
        if (result.status() != 200 || !result.json().hasNonNull("access_token")) {
            throw new IllegalStateException("admin token request failed: " + result.describe());
        }
        return result.json().get("access_token").asText();
    }

    public AdminApi admin() {
        return new AdminApi(this);
    }

    @Override
    public String toString() {
        return "Keycloak " + settings.keycloakVersion() + " (" + runtime() + ", variant " + variant()
                + ", features [" + features() + "]) at " + baseUrl();
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (RuntimeException e) {
            System.err.println("stopping " + this + " failed: " + e);
        }
    }
}
