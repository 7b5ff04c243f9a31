package io.github.mcpauthz.core;

import io.github.mcpauthz.core.KeycloakCompat;
import org.keycloak.models.RealmModel;

/** Whether a realm acts as an MCP authorization server. Read from the cached realm: no database access. */
public final class McpRealm {

    /** Realm attribute set by the enable command (and in realm JSON under "attributes"). */
    public static final String ENABLED_ATTRIBUTE = "mcp.enabled";

    private McpRealm() {
    }

    /** Also false in every realm when this Keycloak version is not supported ({@link KeycloakCompat#supported()}). */
    public static boolean isEnabled(RealmModel realm) {
        return KeycloakCompat.supported() && realm != null && Boolean.parseBoolean(realm.getAttribute(ENABLED_ATTRIBUTE));
    }
}
