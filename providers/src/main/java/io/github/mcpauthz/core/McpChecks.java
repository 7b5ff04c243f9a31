package io.github.mcpauthz.core;

import java.util.List;
import java.util.Objects;

import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.representations.AccessToken;

/**
 * The MCP checks that several hooks run, as version-neutral functions, in one ordered list each. Features implement
 * them; {@code setup} registers them once at start-up (a feature never imports another); the hooks run them:
 * <ul>
 * <li>authorization request checks: Keycloak 26.7's authorization-endpoint check providers run one each; on older
 * releases (no such SPI) the {@code mcp-authorization-checks} client-policy executor runs the list, and the
 * untrusted-redirect executor runs it to decide where an error may go;</li>
 * <li>token checks, after the audience is bound: Keycloak 26.6+'s token post-processors run one each; on older
 * releases the extension's grant types run the list.</li>
 * </ul>
 */
public final class McpChecks {

    /** What an authorization request asks, as every supported Keycloak can tell it. */
    public record AuthorizationRequest(KeycloakSession session, RealmModel realm, ClientModel client, String resource,
                                       String scope, String prompt) {
    }

    /** One check of an authorization request of an MCP realm. */
    @FunctionalInterface
    public interface AuthorizationCheck {
        /** Returns when the request may go on; throws with the error to redirect to the client otherwise. */
        void check(AuthorizationRequest request) throws McpRejection;
    }

    /** A token about to be issued in an MCP realm, with its audience already bound. */
    public record TokenIssuance(KeycloakSession session, RealmModel realm, ClientModel client, String grantType,
                                boolean refresh, AccessToken accessToken, UserModel user) {
    }

    /** One check of a token about to be issued; may also add claims. */
    @FunctionalInterface
    public interface TokenCheck {
        /** Returns when the token may be issued; throws (after recording its event) otherwise. */
        void check(TokenIssuance token) throws McpRejection;
    }

    private static volatile List<AuthorizationCheck> authorizationChecks = List.of();
    private static volatile List<TokenCheck> tokenChecks = List.of();

    private McpChecks() {
    }

    /** Sets the lists, in the order they run. Called once by {@code setup} at start-up. */
    public static void register(List<AuthorizationCheck> authorization, List<TokenCheck> token) {
        authorizationChecks = List.copyOf(Objects.requireNonNull(authorization));
        tokenChecks = List.copyOf(Objects.requireNonNull(token));
    }

    /** Runs every authorization check in order; the first refusal wins. */
    public static void checkAuthorization(AuthorizationRequest request) throws McpRejection {
        for (AuthorizationCheck check : authorizationChecks) {
            check.check(request);
        }
    }

    /** Runs every token check in order; the first refusal wins. */
    public static void checkToken(TokenIssuance token) throws McpRejection {
        for (TokenCheck check : tokenChecks) {
            check.check(token);
        }
    }

    /** Whether {@code setup} registered the checks (false only before start-up finished). */
    public static boolean registered() {
        return !authorizationChecks.isEmpty();
    }
}
