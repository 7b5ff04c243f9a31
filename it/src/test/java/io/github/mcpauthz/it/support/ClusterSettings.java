package io.github.mcpauthz.it.support;

import java.nio.file.Path;

/** What every node of the test cluster shares. */
interface ClusterSettings {

    String jdbcUrl();

    /** The balancer's URL: every node's {@code --hostname}, so the issuer is the same on all nodes. */
    String publicUrl();

    Path truststorePem();

    long cleanupIntervalSeconds();

    int startTimeoutSeconds();

    /** Records the node's pids, so that a later run can end what a test JVM killed hard left behind. */
    void remember(ClusterNode node);
}
