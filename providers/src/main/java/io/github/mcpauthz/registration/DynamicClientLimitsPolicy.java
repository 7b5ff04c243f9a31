package io.github.mcpauthz.registration;

import org.keycloak.OAuthErrorException;

import io.github.mcpauthz.core.client.RegistrationSettings;

import io.github.mcpauthz.core.client.DynamicClientLimits;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.component.ComponentModel;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.clientregistration.ClientRegistrationContext;
import org.keycloak.services.clientregistration.ClientRegistrationProvider;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy;

/**
 * Limits on dynamic registration: a per-source rate (an IPv4 address or an IPv6 /64; cluster-wide fixed window,
 * counted in Keycloak's single-use-object store) and a realm-wide cap on dynamic clients that admin-made clients do
 * not count against: a quick check before the creation, and the one that holds under concurrency after it, under a
 * database lock, before the registration commits (see {@link DynamicClientLimits#admit}). Going over answers 429 or
 * 403 with an OAuth error body, and nothing is created; existing clients keep working.
 */
public class DynamicClientLimitsPolicy implements ClientRegistrationPolicy {

    private final KeycloakSession session;
    private final ComponentModel model;

    public DynamicClientLimitsPolicy(KeycloakSession session, ComponentModel model) {
        this.session = session;
        this.model = model;
    }

    @Override
    public void beforeRegister(ClientRegistrationContext context) {
        RealmModel realm = session.getContext().getRealm();
        int perAddress = model.get(RegistrationSettings.REGISTRATIONS_PER_ADDRESS,
                RegistrationSettings.DEFAULT_REGISTRATIONS_PER_ADDRESS);
        long window = Math.max(1, model.get(RegistrationSettings.RATE_WINDOW,
                RegistrationSettings.DEFAULT_RATE_WINDOW));
        String address = session.getContext().getConnection() == null ? "unknown"
                : session.getContext().getConnection().getRemoteAddr();
        if (perAddress > 0 && !DynamicClientLimits.takeSlot(session, DynamicClientLimits.addressCounter(realm, address),
                perAddress, window)) {
            long retryAfter = DynamicClientLimits.retryAfter(window);
            throw reject(context, Response.Status.TOO_MANY_REQUESTS, OAuthErrorException.TEMPORARILY_UNAVAILABLE,
                    DynamicClientLimits.tooManyFromAddress(address, perAddress, window, retryAfter), retryAfter);
        }
        // A quick refusal when the realm is full already; the check that holds under concurrency is afterRegister's.
        int max = maxDynamicClients();
        boolean room;
        try {
            room = DynamicClientLimits.hasRoom(session, realm, max);
        } catch (DynamicClientLimits.CapUnavailable e) {
            throw busy(context);
        }
        if (!room) {
            throw capReached(context, max);
        }
    }

    /**
     * Session attribute set by the OpenID Connect registration endpoint ({@link McpOidcClientRegistrationProvider})
     * before Keycloak creates the client: the cap check then runs after Keycloak's whole registration (other
     * policies, the registration access token, the success event), so the cap's lock is held only for the count and
     * the commit.
     */
    static final String DEFER_CAP_CHECK = "mcp.dcr.defer-cap-check";
    private static final String PENDING_CAP_CHECKS = "mcp.dcr.pending-cap-checks";

    /**
     * The realm's cap, checked under its lock with the new client created (see {@link DynamicClientLimits#admit}).
     * Keycloak runs this in the registration's transaction, before the registration's success event; a refusal rolls
     * the whole registration back, so the client, its settings and the success event are never committed. At the
     * OpenID Connect endpoint the check is deferred to the end of the registration ({@link #checkDeferredCap}).
     */
    @Override
    public void afterRegister(ClientRegistrationContext context, ClientModel clientModel) {
        if (Boolean.TRUE.equals(session.getAttribute(DEFER_CAP_CHECK))) {
            @SuppressWarnings("unchecked")
            List<Runnable> pending = session.getAttribute(PENDING_CAP_CHECKS, List.class);
            if (pending == null) {
                pending = new ArrayList<>();
                session.setAttribute(PENDING_CAP_CHECKS, pending);
            }
            pending.add(() -> admit(context, clientModel));
            return;
        }
        admit(context, clientModel);
    }

    /**
     * Runs the cap checks {@link #afterRegister} deferred, as the registration's last step before its transaction
     * commits. Throws the refusal (403 {@code access_denied}, or 503 when the lock was not granted) with the
     * registration rolled back.
     */
    static void checkDeferredCap(KeycloakSession session) {
        session.removeAttribute(DEFER_CAP_CHECK);
        @SuppressWarnings("unchecked")
        List<Runnable> pending = session.getAttribute(PENDING_CAP_CHECKS, List.class);
        session.removeAttribute(PENDING_CAP_CHECKS);
        if (pending != null) {
            pending.forEach(Runnable::run);
        }
    }

    private void admit(ClientRegistrationContext context, ClientModel clientModel) {
        int max = maxDynamicClients();
        boolean within;
        try {
            within = DynamicClientLimits.admit(session, session.getContext().getRealm(), clientModel, max);
        } catch (DynamicClientLimits.CapUnavailable e) {
            throw busy(context);
        }
        if (!within) {
            throw capReached(context, max);
        }
    }

    private int maxDynamicClients() {
        return model.get(RegistrationSettings.MAX_DYNAMIC_CLIENTS, RegistrationSettings.DEFAULT_MAX_DYNAMIC_CLIENTS);
    }

    private WebApplicationException capReached(ClientRegistrationContext context, int max) {
        return reject(context, Response.Status.FORBIDDEN, OAuthErrorException.ACCESS_DENIED, DynamicClientLimits.capReached(max), 0);
    }

    private WebApplicationException busy(ClientRegistrationContext context) {
        return reject(context, Response.Status.SERVICE_UNAVAILABLE, OAuthErrorException.TEMPORARILY_UNAVAILABLE,
                "Too many registrations at the same time; try again shortly", 1);
    }

    private WebApplicationException reject(ClientRegistrationContext context, Response.Status status, String error,
                                           String description, long retryAfter) {
        EventBuilder event = context.getProvider().getEvent();
        if (event != null) {
            event.detail(Details.REASON, description).error(error);
        }
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", description);
        Response.ResponseBuilder response = Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body)
                .header("Cache-Control", "no-store");
        if (retryAfter > 0) {
            response.header("Retry-After", Long.toString(retryAfter));
        }
        return new WebApplicationException(response.build());
    }

    @Override
    public void beforeUpdate(ClientRegistrationContext context, ClientModel clientModel) {
    }

    @Override
    public void afterUpdate(ClientRegistrationContext context, ClientModel clientModel) {
    }

    @Override
    public void beforeView(ClientRegistrationProvider provider, ClientModel clientModel) {
    }

    @Override
    public void beforeDelete(ClientRegistrationProvider provider, ClientModel clientModel) {
    }

    @Override
    public void close() {
    }
}
