package io.github.mcpauthz.it.support;

import dasniko.testcontainers.keycloak.KeycloakContainer;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.utility.MountableFile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The official image {@code quay.io/keycloak/keycloak:<version>} through Testcontainers, in start-dev mode. */
final class ContainerKeycloak extends KeycloakEnvironment {

    private static final String TEST_CA_IN_CONTAINER = "/opt/keycloak/conf/cimd-test-ca.pem";

    private KeycloakContainer container;

    ContainerKeycloak(Settings settings) {
        super(settings);
    }

    @Override
    protected String unavailableReason() {
        boolean available;
        try {
            available = DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            available = false;
        }
        return available ? null
                : "No Docker engine was found (Testcontainers could not reach one), so the kc.runtime=container "
                + "tests are skipped. Run them where Docker runs, or use kc.runtime=dist.";
    }

    @Override
    protected void start() {
        for (Path required : List.of(settings.providerJar(), settings.realmFile())) {
            if (!Files.isRegularFile(required)) {
                throw new IllegalStateException("missing " + required);
            }
        }
        long begin = System.nanoTime();
        container = new KeycloakContainer("quay.io/keycloak/keycloak:" + settings.keycloakVersion())
                .withAdminUsername(Settings.ADMIN_USERNAME)
                .withAdminPassword(Settings.ADMIN_PASSWORD)
                .withProviderLibsFrom(List.of(settings.providerJar().toFile()))
                .withCopyFileToContainer(MountableFile.forHostPath(settings.realmFile(), 0644),
                        "/opt/keycloak/data/import/" + REALM + "-realm.json")
                // trust the CA of the tests' local HTTPS server of client ID metadata documents (CimdTls)
                .withCopyFileToContainer(MountableFile.forHostPath(CimdTls.get(settings.workDir()).caPem(), 0644),
                        TEST_CA_IN_CONTAINER)
                .withCustomCommand("--truststore-paths=" + TEST_CA_IN_CONTAINER)
                .withStartupTimeout(Duration.ofSeconds(settings.startTimeoutSeconds()));
        if (!features().isEmpty()) {
            container.withFeaturesEnabled(features().split(","));
        }
        container.start();
        System.out.printf("[kc] %s ready in %.1f s%n", this, (System.nanoTime() - begin) / 1e9);
    }

    @Override
    protected void stop() {
        if (container != null) {
            container.stop();
        }
    }

    @Override
    public String baseUrl() {
        String url = container.getAuthServerUrl();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    @Override
    public Path logFile() {
        return null;
    }
}
