package io.github.mcpauthz.core;

import java.util.LinkedHashMap;
import java.util.Map;

import org.keycloak.models.UserModel;

/**
 * A refusal by one of the MCP checks, independent of the Keycloak hook that ran it: the OAuth error code and its
 * description for the client, and what the event of the refused request records (its error, the user, extra details).
 * Each hook turns it into its own exception (authorization-endpoint check, client-policy executor, token processor or
 * grant type), so a rule is written once and runs on every supported Keycloak.
 */
public final class McpRejection extends Exception {

    private final String error;
    private final String eventError;
    private final transient UserModel user;
    private final Map<String, String> details;

    public McpRejection(String error, String description) {
        this(error, description, error, null, Map.of());
    }

    public McpRejection(String error, String description, String eventError, UserModel user, Map<String, String> details) {
        super(description, null, false, false);
        this.error = error;
        this.eventError = eventError;
        this.user = user;
        this.details = new LinkedHashMap<>(details);
    }

    /** The OAuth error code ({@code invalid_target}, {@code consent_required}, ...). */
    public String error() {
        return error;
    }

    /** The {@code error_description}. */
    public String description() {
        return getMessage();
    }

    /** The error of the event (may differ from the OAuth code, e.g. {@code invalid_scope} vs Keycloak's event name). */
    public String eventError() {
        return eventError;
    }

    /** The user the event names, or null. */
    public UserModel user() {
        return user;
    }

    /** Event details besides the reason, in order. */
    public Map<String, String> details() {
        return details;
    }
}
