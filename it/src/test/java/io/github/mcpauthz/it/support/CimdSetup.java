package io.github.mcpauthz.it.support;

/**
 * The set-up the CIMD tests share: a local document server Keycloak can reach (the test is skipped otherwise), and
 * clean-up of the realm and the server after the class.
 */
public final class CimdSetup {

    private CimdSetup() {
    }

    /** Skips the test unless Keycloak can reach the local server, then starts it. */
    public static CimdDocumentServer reachableServer(KeycloakEnvironment keycloak) {
        CimdDocumentServer.assumeReachableFrom(keycloak);
        return CimdDocumentServer.start();
    }

    /** Deletes {@code realm} and closes {@code server}, either of which may be null (set-up did not get that far). */
    public static void cleanUp(CimdRealm realm, CimdDocumentServer server) {
        if (realm != null) {
            realm.delete();
        }
        if (server != null) {
            server.close();
        }
    }
}
