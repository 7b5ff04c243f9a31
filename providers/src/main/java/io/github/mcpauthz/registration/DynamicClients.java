package io.github.mcpauthz.registration;

import java.util.Map;
import java.util.stream.Stream;

import org.keycloak.common.util.Time;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ModelException;
import org.keycloak.models.RealmModel;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy;

/**
 * Client attributes that mark a dynamically registered MCP client and record its provenance.
 * Admin-made clients never carry {@value #DYNAMIC}, so nothing here touches them.
 */
public final class DynamicClients {

    public static final String DYNAMIC = "mcp.dynamic";
    public static final String METHOD = "mcp.registration.method";
    public static final String REGISTERED_AT = "mcp.registration.time";
    public static final String REGISTERED_FROM = "mcp.registration.address";
    public static final String SOFTWARE_ID = "mcp.software.id";
    public static final String SOFTWARE_VERSION = "mcp.software.version";
    public static final String REDIRECT_HOSTS = "mcp.redirect.hosts";
    public static final String APPLICATION_TYPE = "mcp.application.type";
    public static final String REQUESTED_RESOURCES = "mcp.registration.resource";
    public static final String LAST_USED = "mcp.last.used";

    /** Session attribute holding the raw registration metadata of the current request (see the registration endpoint). */
    public static final String METADATA_SESSION_ATTRIBUTE = "mcp.registration.metadata";

    public static final String POLICY_TYPE = ClientRegistrationPolicy.class.getName();

    private DynamicClients() {
    }

    public static boolean isDynamic(ClientModel client) {
        return client != null && Boolean.parseBoolean(client.getAttribute(DYNAMIC));
    }

    /**
     * The realm's dynamic clients (at most {@code max}, or all when null). Uses Keycloak's attribute search when
     * the server makes {@value #DYNAMIC} searchable ({@code --spi-client--jpa--searchable-attributes=mcp.dynamic},
     * recommended for realms with many clients); otherwise filters the realm's clients, which Keycloak caches.
     * Only registration and cleanup call this, never the token or authorization endpoints.
     */
    public static Stream<ClientModel> stream(KeycloakSession session, RealmModel realm, Integer max) {
        try {
            return session.clients().searchClientsByAttributes(realm, Map.of(DYNAMIC, "true"), 0, max);
        } catch (ModelException notSearchable) {
            Stream<ClientModel> all = realm.getClientsStream().filter(DynamicClients::isDynamic);
            return max == null ? all : all.limit(max);
        }
    }

    /** Idle lifetime of dynamic clients in the realm, in seconds; 0 when cleanup is off. */
    public static long idleLifetimeSeconds(RealmModel realm) {
        return realm.getComponentsStream(realm.getId(), POLICY_TYPE)
                .filter(c -> DynamicClientLimitsPolicyFactory.ID.equals(c.getProviderId()))
                .mapToLong(DynamicClients::idleLifetime)
                .filter(v -> v > 0)
                .min().orElse(0);
    }

    /** The realm's anonymous-registration policy component of the given type, if configured. */
    public static java.util.Optional<ComponentModel> anonymousPolicy(RealmModel realm, String providerId) {
        return realm.getComponentsStream(realm.getId(), POLICY_TYPE)
                .filter(c -> providerId.equals(c.getProviderId()) && "anonymous".equals(c.getSubType()))
                .findFirst();
    }

    /** Rules for clients that register themselves without a token (anonymous DCR, metadata documents). */
    public static DynamicClientMetadata.Rules anonymousRules(RealmModel realm) {
        return anonymousPolicy(realm, DynamicClientPolicyFactory.ID).map(DynamicClientPolicyFactory::rules)
                .orElse(new DynamicClientMetadata.Rules(DynamicClientPolicyFactory.DEFAULT_MAX_REDIRECT_URIS,
                        DynamicClientMetadata.DEFAULT_AUTH_METHODS, true));
    }

    /** The realm's cap on dynamic clients (0 = none). */
    public static int maxDynamicClients(RealmModel realm) {
        return anonymousPolicy(realm, DynamicClientLimitsPolicyFactory.ID)
                .map(c -> c.get(DynamicClientLimitsPolicyFactory.MAX_DYNAMIC_CLIENTS, DynamicClientLimitsPolicyFactory.DEFAULT_MAX_DYNAMIC_CLIENTS))
                .orElse(DynamicClientLimitsPolicyFactory.DEFAULT_MAX_DYNAMIC_CLIENTS);
    }

    /** The anonymous per-source rate: registrations per window (0 = none) and the window in seconds. */
    public record AddressRate(int perAddress, long windowSeconds) {
    }

    public static AddressRate anonymousAddressRate(RealmModel realm) {
        return anonymousPolicy(realm, DynamicClientLimitsPolicyFactory.ID)
                .map(c -> new AddressRate(
                        c.get(DynamicClientLimitsPolicyFactory.REGISTRATIONS_PER_ADDRESS, DynamicClientLimitsPolicyFactory.DEFAULT_REGISTRATIONS_PER_ADDRESS),
                        Math.max(1, c.get(DynamicClientLimitsPolicyFactory.RATE_WINDOW, DynamicClientLimitsPolicyFactory.DEFAULT_RATE_WINDOW))))
                .orElse(new AddressRate(DynamicClientLimitsPolicyFactory.DEFAULT_REGISTRATIONS_PER_ADDRESS,
                        DynamicClientLimitsPolicyFactory.DEFAULT_RATE_WINDOW));
    }

    static long idleLifetime(ComponentModel model) {
        return model.get(DynamicClientLimitsPolicyFactory.IDLE_LIFETIME, DynamicClientLimitsPolicyFactory.DEFAULT_IDLE_LIFETIME);
    }

    /**
     * Records that a dynamic client was used, so cleanup keeps it. Writes at most once per quarter of the idle
     * lifetime (and at most hourly) to keep the token endpoint free of per-request writes.
     */
    public static void touch(RealmModel realm, ClientModel client) {
        if (!isDynamic(client)) {
            return;
        }
        long idle = idleLifetimeSeconds(realm);
        if (idle <= 0) {
            return;
        }
        long now = Time.currentTime();
        long last = parseLong(client.getAttribute(LAST_USED), 0);
        if (now - last >= Math.min(3600, Math.max(1, idle / 4))) {
            client.setAttribute(LAST_USED, Long.toString(now));
        }
    }

    static long parseLong(String value, long fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
