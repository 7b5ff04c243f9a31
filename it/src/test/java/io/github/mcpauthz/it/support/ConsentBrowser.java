package io.github.mcpauthz.it.support;

import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

import java.util.ArrayList;
import java.util.List;

/**
 * A browser for consent tests: like {@link Browser} it keeps Keycloak's cookies (one SSO session across
 * authorizations), follows Keycloak's redirects and fills in the login form, but it records what the user was shown
 * (the login form, the consent page and the items it lists) and answers the consent page as the test says: Yes
 * ({@code accept}) or No ({@code cancel}).
 */
public final class ConsentBrowser {

    /** What the user presses on the consent page. */
    public enum Answer {
        /** The "Yes" button ({@code accept}). */
        ALLOW("accept"),
        /** The "No" button ({@code cancel}). */
        DENY("cancel");

        private final String button;

        Answer(String button) {
            this.button = button;
        }
    }

    /**
     * How one authorization went: where it ended ({@link #response()}), whether the login form was shown and the
     * items of each consent page shown, in order (normally none or one).
     */
    public record Outcome(AuthorizationResponse response, boolean loginShown, List<List<String>> consentPages) {

        public boolean consentShown() {
            return !consentPages.isEmpty();
        }

        /** The items ("Weather MCP server (https://...)", scopes, the client itself) of the one consent page shown. */
        public List<String> consentItems() {
            if (consentPages.size() != 1) {
                throw new AssertionError("expected exactly one consent page, saw " + consentPages.size() + ": "
                        + describe());
            }
            return consentPages.get(0);
        }

        public String describe() {
            return response.describe() + "\n  login form shown: " + loginShown + "; consent pages: " + consentPages;
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /** Does the walking (redirects, login form, form posts); must find the button it presses on the consent page. */
    private final Browser browser = new Browser(true);

    /**
     * Runs {@code request}: logs in as {@code user} if the login form comes (null: stop there), answers a consent
     * page with {@code answer}, and stops at the redirect to the client's {@code redirect_uri} or at any other page.
     */
    public Outcome authorize(AuthorizationRequest request, User user, Answer answer) {
        return browser.authorize(request, user, answer.button);
    }

    /**
     * The items the consent page asks about, e.g. "Demo MCP server (http://...)": on Keycloak's page the texts of its
     * list ({@code #kc-oauth li}); on the MCP consent page (dynamic clients) the elements marked
     * {@code data-consent-item}, which carry the same texts.
     */
    static List<String> consentItems(Document page) {
        List<String> items = new ArrayList<>();
        List<Element> marked = page.select("#kc-oauth [data-consent-item]");
        if (page.getElementById("mcp-client-name") != null) {
            for (Element item : marked) {
                items.add(item.attr("data-consent-item").trim());
            }
            return List.copyOf(items);
        }
        for (Element item : page.select("#kc-oauth li")) {
            items.add(item.text().trim());
        }
        return List.copyOf(items);
    }
}
