package io.github.mcpauthz.setup;

import io.github.mcpauthz.core.KeycloakCompat;
import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;
import org.keycloak.models.Constants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.representations.idm.ClientPoliciesRepresentation;
import org.keycloak.representations.idm.ClientPolicyConditionConfigurationRepresentation;
import org.keycloak.representations.idm.ClientPolicyConditionRepresentation;
import org.keycloak.representations.idm.ClientPolicyExecutorRepresentation;
import org.keycloak.representations.idm.ClientPolicyRepresentation;
import org.keycloak.representations.idm.ClientProfileRepresentation;
import org.keycloak.representations.idm.ClientProfilesRepresentation;
import org.keycloak.services.clientpolicy.ClientPolicyContext;
import org.keycloak.services.clientpolicy.ClientPolicyEvent;
import org.keycloak.services.clientpolicy.ClientPolicyVote;
import org.keycloak.services.clientpolicy.condition.AbstractClientPolicyConditionProvider;
import org.keycloak.util.JsonSerialization;

/**
 * The condition of the realm's {@code mcp} client policy: satisfied on the events the MCP executors act on, and on no
 * other while the policies with this condition run only MCP executors.
 *
 * <p>Keycloak makes every executor of a satisfied policy's profiles on every event (the profiles' JSON parsed, each
 * executor created and configured) before the executor can tell that the event is not its own. With {@code any-client}
 * that was five executors on each token request, refresh and token response, none of which acts there. Once an admin
 * adds an executor of another kind to the {@code mcp} profile, or another profile to a policy with this condition,
 * the condition is satisfied on every event, as {@code any-client} is: an executor an admin added always runs.
 *
 * <p>Whether the policies run only MCP executors is read from the realm's client-policy attributes and remembered per
 * realm with the two texts it was read from, so a change (on this node or another: each node reads its own cached
 * realm) is seen on the next event.
 */
final class McpEventsCondition extends AbstractClientPolicyConditionProvider<ClientPolicyConditionConfigurationRepresentation> {

    private static final Logger LOG = Logger.getLogger(McpEventsCondition.class);

    /** The events an MCP executor acts on (before Keycloak 26.7 also the authorization request, see below). */
    private static final Set<ClientPolicyEvent> EVENTS = EnumSet.of(ClientPolicyEvent.PRE_AUTHORIZATION_REQUEST,
            ClientPolicyEvent.PUSHED_AUTHORIZATION_REQUEST, ClientPolicyEvent.DEVICE_AUTHORIZATION_REQUEST,
            ClientPolicyEvent.BACKCHANNEL_AUTHENTICATION_REQUEST);

    /** Per realm id: the client-policy texts last read and whether they run only MCP executors. */
    private static final Map<String, Seen> SEEN = new ConcurrentHashMap<>();

    private record Seen(String policies, String profiles, boolean onlyMcp) {
    }

    McpEventsCondition(KeycloakSession session) {
        super(session);
    }

    @Override
    public Class<ClientPolicyConditionConfigurationRepresentation> getConditionConfigurationClass() {
        return ClientPolicyConditionConfigurationRepresentation.class;
    }

    @Override
    public String getProviderId() {
        return McpEventsConditionFactory.ID;
    }

    @Override
    public ClientPolicyVote applyPolicy(ClientPolicyContext context) {
        ClientPolicyEvent event = context.getEvent();
        if (EVENTS.contains(event)) {
            return ClientPolicyVote.YES;
        }
        if (event == ClientPolicyEvent.AUTHORIZATION_REQUEST
                && !KeycloakCompat.has(KeycloakCompat.Capability.AUTHORIZATION_CHECK_SPI)) {
            // Before 26.7 the MCP authorization checks run as an executor on this event.
            return ClientPolicyVote.YES;
        }
        RealmModel realm = session.getContext().getRealm();
        return realm == null || !onlyMcpExecutors(realm) ? ClientPolicyVote.YES : ClientPolicyVote.ABSTAIN;
    }

    /** Whether every profile of every policy with this condition is a realm profile of MCP executors only. */
    static boolean onlyMcpExecutors(RealmModel realm) {
        String policies = realm.getAttribute(Constants.CLIENT_POLICIES);
        String profiles = realm.getAttribute(Constants.CLIENT_PROFILES);
        Seen seen = SEEN.get(realm.getId());
        if (seen == null || !Objects.equals(seen.policies, policies) || !Objects.equals(seen.profiles, profiles)) {
            seen = new Seen(policies, profiles, onlyMcpExecutors(policies, profiles));
            SEEN.put(realm.getId(), seen);
        }
        return seen.onlyMcp;
    }

    /** Forgets a removed realm. */
    static void forget(String realmId) {
        SEEN.remove(realmId);
    }

    /** {@link #onlyMcpExecutors(RealmModel)} on the realm's two client-policy texts; false when either is unreadable. */
    static boolean onlyMcpExecutors(String policiesJson, String profilesJson) {
        if (policiesJson == null) {
            return true;
        }
        try {
            ClientPoliciesRepresentation policies = JsonSerialization.readValue(policiesJson, ClientPoliciesRepresentation.class);
            ClientProfilesRepresentation profiles = profilesJson == null ? new ClientProfilesRepresentation()
                    : JsonSerialization.readValue(profilesJson, ClientProfilesRepresentation.class);
            for (ClientPolicyRepresentation policy : orEmpty(policies.getPolicies())) {
                if (!hasThisCondition(policy)) {
                    continue;
                }
                for (String profileName : orEmpty(policy.getProfiles())) {
                    if (!mcpExecutorsOnly(orEmpty(profiles.getProfiles()), profileName)) {
                        return false;
                    }
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.debugf(e, "Could not read the realm's client policies; %s is satisfied on every event", McpEventsConditionFactory.ID);
            return false;
        }
    }

    private static boolean hasThisCondition(ClientPolicyRepresentation policy) {
        for (ClientPolicyConditionRepresentation condition : orEmpty(policy.getConditions())) {
            if (McpEventsConditionFactory.ID.equals(condition.getConditionProviderId())) {
                return true;
            }
        }
        return false;
    }

    /** Whether the realm profile of that name exists and has only MCP executors (a global profile never does). */
    private static boolean mcpExecutorsOnly(List<ClientProfileRepresentation> profiles, String name) {
        for (ClientProfileRepresentation profile : profiles) {
            if (name.equals(profile.getName())) {
                for (ClientPolicyExecutorRepresentation executor : orEmpty(profile.getExecutors())) {
                    if (!McpRealmSetup.MCP_EXECUTORS.contains(executor.getExecutorProviderId())) {
                        return false;
                    }
                }
                return true;
            }
        }
        return false;
    }

    private static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
