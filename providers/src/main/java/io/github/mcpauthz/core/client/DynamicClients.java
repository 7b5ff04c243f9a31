package io.github.mcpauthz.core.client;

import org.keycloak.representations.idm.ClientRepresentation;

import java.util.HashMap;

import java.util.ArrayList;

import java.util.List;
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
    /** Session attribute holding the MCP server scopes a registration asked for, attached after Keycloak's checks. */
    public static final String SERVER_SCOPES_SESSION_ATTRIBUTE = "mcp.registration.server-scopes";

    /** Client attributes Keycloak reads to require PKCE and to always show the client on the consent page. */
    public static final String PKCE_METHOD = "pkce.code.challenge.method";
    public static final String DISPLAY_ON_CONSENT = "display.on.consent.screen";
    public static final String CONSENT_TEXT = "consent.screen.text";
    public static final String POST_LOGOUT_REDIRECT_URIS = "post.logout.redirect.uris";

    public static final String POLICY_TYPE = ClientRegistrationPolicy.class.getName();

    private DynamicClients() {
    }

    /** {@value #METHOD} of a client created from its client ID metadata document. */
    public static final String METHOD_CIMD = "cimd";

    /**
     * Marks a client that just registered itself as dynamic, with its provenance: how ({@code dcr-anonymous},
     * {@code dcr-initial-access-token}, {@code dcr-bearer-token}, {@value #METHOD_CIMD}), when, and from which address.
     * The one place DCR and CIMD record it.
     */
    public static void markRegistered(KeycloakSession session, ClientModel client, String method, long now) {
        client.setAttribute(DYNAMIC, "true");
        client.setAttribute(METHOD, method);
        client.setAttribute(REGISTERED_AT, Long.toString(now));
        client.setAttribute(LAST_USED, Long.toString(now));
        String address = session.getContext().getConnection() == null ? null : session.getContext().getConnection().getRemoteAddr();
        if (address != null) {
            client.setAttribute(REGISTERED_FROM, address);
        }
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
            List<ClientModel> found = session.clients().searchClientsByAttributes(realm, Map.of(DYNAMIC, "true"), 0, max).toList();
            if (found.stream().allMatch(DynamicClients::isDynamic)) {
                return found.stream();
            }
            // Keycloak 26.4 ignores an attribute that is not searchable (and returns every client) instead of refusing
            // it as later releases do: filter here, never trust the search alone (cleanup deletes what this returns).
        } catch (ModelException notSearchable) {
            // Not searchable: filter here.
        }
        Stream<ClientModel> all = realm.getClientsStream().filter(DynamicClients::isDynamic);
        return max == null ? all : all.limit(max);
    }

    /** Idle lifetime of dynamic clients in the realm, in seconds; 0 when cleanup is off. */
    public static long idleLifetimeSeconds(RealmModel realm) {
        return realm.getComponentsStream(realm.getId(), POLICY_TYPE)
                .filter(c -> RegistrationSettings.LIMITS_POLICY_ID.equals(c.getProviderId()))
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
        return anonymousPolicy(realm, RegistrationSettings.CLIENT_POLICY_ID).map(RegistrationSettings::rules)
                .orElseGet(RegistrationSettings::defaultRules);
    }

    /** The realm's cap on dynamic clients (0 = none). */
    public static int maxDynamicClients(RealmModel realm) {
        return anonymousPolicy(realm, RegistrationSettings.LIMITS_POLICY_ID)
                .map(c -> c.get(RegistrationSettings.MAX_DYNAMIC_CLIENTS, RegistrationSettings.DEFAULT_MAX_DYNAMIC_CLIENTS))
                .orElse(RegistrationSettings.DEFAULT_MAX_DYNAMIC_CLIENTS);
    }

    /** The anonymous per-source rate: registrations per window (0 = none) and the window in seconds. */
    public record AddressRate(int perAddress, long windowSeconds) {
    }

    public static AddressRate anonymousAddressRate(RealmModel realm) {
        return anonymousPolicy(realm, RegistrationSettings.LIMITS_POLICY_ID)
                .map(c -> new AddressRate(
                        c.get(RegistrationSettings.REGISTRATIONS_PER_ADDRESS, RegistrationSettings.DEFAULT_REGISTRATIONS_PER_ADDRESS),
                        Math.max(1, c.get(RegistrationSettings.RATE_WINDOW, RegistrationSettings.DEFAULT_RATE_WINDOW))))
                .orElse(new AddressRate(RegistrationSettings.DEFAULT_REGISTRATIONS_PER_ADDRESS,
                        RegistrationSettings.DEFAULT_RATE_WINDOW));
    }

    static long idleLifetime(ComponentModel model) {
        return model.get(RegistrationSettings.IDLE_LIFETIME, RegistrationSettings.DEFAULT_IDLE_LIFETIME);
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

    /** Applies the validated metadata and the enforced settings to the client Keycloak is about to store. */
    public static void apply(ClientRepresentation rep, DynamicClientMetadata.Validated validated) {
        rep.setRedirectUris(new ArrayList<>(validated.redirectUris()));
        rep.setConsentRequired(true);
        rep.setFullScopeAllowed(false);
        rep.setStandardFlowEnabled(true);
        rep.setImplicitFlowEnabled(false);
        rep.setDirectAccessGrantsEnabled(false);
        rep.setServiceAccountsEnabled(false);
        rep.setBearerOnly(false);
        Map<String, String> attributes = rep.getAttributes() == null ? new HashMap<>() : new HashMap<>(rep.getAttributes());
        attributes.putAll(enforcedAttributes());
        if (validated.postLogoutRedirectUris().isEmpty()) {
            attributes.remove(POST_LOGOUT_REDIRECT_URIS);
        } else {
            attributes.put(POST_LOGOUT_REDIRECT_URIS, String.join("##", validated.postLogoutRedirectUris()));
        }
        rep.setAttributes(attributes);
    }

    /** Re-applies the enforced settings to the stored client, whatever other policies or converters did. */
    public static void enforce(ClientModel client) {
        client.setConsentRequired(true);
        client.setFullScopeAllowed(false);
        client.setStandardFlowEnabled(true);
        client.setImplicitFlowEnabled(false);
        client.setDirectAccessGrantsEnabled(false);
        client.setServiceAccountsEnabled(false);
        client.setBearerOnly(false);
        enforcedAttributes().forEach(client::setAttribute);
    }

    public static Map<String, String> enforcedAttributes() {
        Map<String, String> attributes = new HashMap<>();
        attributes.put(PKCE_METHOD, "S256");
        // Without a displayable item Keycloak skips the consent page even for consent-required clients;
        // the client itself is always such an item.
        attributes.put(DISPLAY_ON_CONSENT, "true");
        attributes.put(CONSENT_TEXT, "Sign you in and act on your behalf (this application registered itself)");
        attributes.put("oauth2.device.authorization.grant.enabled", "false");
        attributes.put("oidc.ciba.grant.enabled", "false");
        attributes.put("standard.token.exchange.enabled", "false");
        return attributes;
    }

    public static void recordMetadata(ClientModel client, DynamicClientMetadata.Validated validated) {
        client.setAttribute(REDIRECT_HOSTS, String.join(" ", validated.redirectHosts()));
        client.setAttribute(APPLICATION_TYPE, validated.applicationType().value());
        setOrRemove(client, SOFTWARE_ID, validated.softwareId());
        setOrRemove(client, SOFTWARE_VERSION, validated.softwareVersion());
        setOrRemove(client, REQUESTED_RESOURCES,
                validated.resources().isEmpty() ? null : String.join(" ", validated.resources()));
    }

    private static void setOrRemove(ClientModel client, String name, String value) {
        if (value == null) {
            client.removeAttribute(name);
        } else {
            client.setAttribute(name, value);
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
