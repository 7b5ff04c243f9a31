package io.github.mcpauthz.registration;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.common.util.Time;
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
 * Limits on dynamic registration: a per-source-address rate (cluster-wide fixed window, counted in Keycloak's
 * replicated single-use-object store) and a realm-wide cap on dynamic clients that admin-made clients do not
 * count against. Going over answers 429 or 403 with an OAuth error body; existing clients keep working.
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
        int perAddress = model.get(DynamicClientLimitsPolicyFactory.REGISTRATIONS_PER_ADDRESS,
                DynamicClientLimitsPolicyFactory.DEFAULT_REGISTRATIONS_PER_ADDRESS);
        long window = Math.max(1, model.get(DynamicClientLimitsPolicyFactory.RATE_WINDOW,
                DynamicClientLimitsPolicyFactory.DEFAULT_RATE_WINDOW));
        String address = session.getContext().getConnection() == null ? "unknown"
                : session.getContext().getConnection().getRemoteAddr();
        if (perAddress > 0 && !takeRateSlot(realm, address, perAddress, window)) {
            long retryAfter = window - (Time.currentTime() % window);
            throw reject(context, Response.Status.TOO_MANY_REQUESTS, "temporarily_unavailable",
                    "Too many client registrations from " + address + " (at most " + perAddress + " per " + window
                            + " seconds); try again in " + retryAfter + " seconds", retryAfter);
        }
        int max = model.get(DynamicClientLimitsPolicyFactory.MAX_DYNAMIC_CLIENTS,
                DynamicClientLimitsPolicyFactory.DEFAULT_MAX_DYNAMIC_CLIENTS);
        if (max > 0 && DynamicClients.stream(session, realm, max).count() >= max) {
            throw reject(context, Response.Status.FORBIDDEN, "access_denied",
                    "This realm has reached its limit of " + max + " dynamically registered clients; "
                            + "ask its administrator to raise the limit or remove unused clients", 0);
        }
    }

    /**
     * Fixed window of {@code window} seconds with {@code limit} numbered slots; a registration takes the first free
     * slot. putIfAbsent on the cluster-wide single-use store makes each slot count exactly once across nodes.
     */
    private boolean takeRateSlot(RealmModel realm, String address, int limit, long window) {
        long windowIndex = Time.currentTime() / window;
        String prefix = "mcp-dcr-rate:" + realm.getId() + ":" + address + ":" + windowIndex + ":";
        for (int slot = 0; slot < limit; slot++) {
            if (session.singleUseObjects().putIfAbsent(prefix + slot, window)) {
                return true;
            }
        }
        return false;
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
    public void afterRegister(ClientRegistrationContext context, ClientModel clientModel) {
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
