package io.github.mcpauthz.it.support;

/**
 * The REST calls Keycloak's Account Console makes for the signed-in user, with the access token it gets itself:
 * authorization code + PKCE S256 as client {@code account-console}, redirect {@code {issuer}/account/}.
 */
public final class AccountConsole {

    private final String issuer;
    private final String accessToken;

    private AccountConsole(String issuer, String accessToken) {
        this.issuer = issuer;
        this.accessToken = accessToken;
    }

    /**
     * Opens the Account Console in {@code browser} (so it rides on the user's SSO session, logging in as
     * {@code user} only if there is none) and returns it with its access token. Fails unless a token comes back.
     */
    public static AccountConsole open(ConsentRealm realm, ConsentBrowser browser, User user) {
        McpClient console = realm.accountConsoleClient();
        AuthorizationRequest request = console.authorizationRequest().scope("openid");
        ConsentBrowser.Outcome outcome = browser.authorize(request, user, ConsentBrowser.Answer.ALLOW);
        if (outcome.response().code() == null || outcome.consentShown()) {
            throw new AssertionError("the Account Console did not get a code: " + outcome.describe());
        }
        TokenResponse tokens = console.exchange(outcome.response());
        if (tokens.status() != 200) {
            throw new AssertionError("the Account Console's code exchange failed: " + tokens.describe());
        }
        return new AccountConsole(realm.issuer(), tokens.accessToken());
    }

    public String accessToken() {
        return accessToken;
    }

    /** {@code GET {issuer}/account/applications}: the page "Applications" (with each one's consent). */
    public HttpResult applications() {
        return Http.get(issuer + "/account/applications", accessToken);
    }

    /** {@code DELETE {issuer}/account/applications/{clientId}/consent}: the page's "Remove access". */
    public HttpResult revokeConsent(String clientId) {
        return Http.delete(issuer + "/account/applications/" + Http.encode(clientId) + "/consent", accessToken);
    }
}
