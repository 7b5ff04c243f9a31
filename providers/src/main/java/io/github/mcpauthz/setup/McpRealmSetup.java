package io.github.mcpauthz.setup;

import io.github.mcpauthz.core.client.RegistrationSettings;

import io.github.mcpauthz.core.McpRealm;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.mcpauthz.audience.AuthorizationChecksExecutorFactory;
import io.github.mcpauthz.audience.RepeatedResourceExecutorFactory;
import io.github.mcpauthz.core.KeycloakCompat;
import io.github.mcpauthz.audience.UnboundGrantResourceExecutorFactory;
import io.github.mcpauthz.audience.UntrustedRedirectErrorExecutorFactory;
import io.github.mcpauthz.cimd.ClientIdMetadataDocumentExecutorFactory;
import io.github.mcpauthz.consent.ResourceConsentRequiredActionFactory;
import io.github.mcpauthz.access.ServerAccessRequiredActionFactory;
import io.github.mcpauthz.core.ServerGrantScopes;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.McpServerIndex;
import io.github.mcpauthz.core.ServerScopes;
import io.github.mcpauthz.audience.ServerScopesExecutorFactory;
import org.keycloak.models.RequiredActionProviderModel;
import io.github.mcpauthz.core.client.DynamicClientMetadata;
import io.github.mcpauthz.core.client.DynamicClients;
import org.keycloak.common.util.MultivaluedHashMap;
import org.keycloak.component.ComponentModel;
import io.github.mcpauthz.core.McpServerRegistry;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.representations.idm.ClientPoliciesRepresentation;
import org.keycloak.representations.idm.ClientPolicyConditionRepresentation;
import org.keycloak.representations.idm.ClientPolicyExecutorRepresentation;
import org.keycloak.representations.idm.ClientPolicyRepresentation;
import org.keycloak.representations.idm.ClientProfileRepresentation;
import org.keycloak.representations.idm.ClientProfilesRepresentation;
import org.keycloak.services.clientpolicy.ClientPolicyException;
import org.keycloak.util.JsonSerialization;
import com.fasterxml.jackson.databind.JsonNode;
import org.keycloak.services.clientpolicy.condition.AbstractClientPolicyConditionProviderFactory;

/**
 * Makes a realm an MCP authorization server. Idempotent: running it again repairs what an admin removed
 * and leaves everything else of the realm as it is.
 */
public final class McpRealmSetup {

    /** Name of the client profile and client policy the extension manages in the realm. */
    public static final String CLIENT_POLICY_NAME = "mcp";

    private static final String CLIENT_POLICY_DESCRIPTION = "Applies the MCP profile to every client of the realm, on "
            + "the events its executors act on (keycloak-mcp-authz)";

    private static final String ANY_CLIENT = "any-client";

    /**
     * The executors of the {@code mcp} profile, in their order (the server-scopes executor and the untrusted-redirect
     * check must see the client the CIMD executor creates); the last one only before Keycloak 26.7.
     */
    static final List<String> MCP_EXECUTORS = List.of(RepeatedResourceExecutorFactory.ID,
            ClientIdMetadataDocumentExecutorFactory.ID, ServerScopesExecutorFactory.ID,
            UntrustedRedirectErrorExecutorFactory.ID, UnboundGrantResourceExecutorFactory.ID,
            AuthorizationChecksExecutorFactory.ID);

    private McpRealmSetup() {
    }

    /** Enables the realm; returns its servers (read once, from the database). */
    public static List<McpServer> enable(KeycloakSession session, RealmModel realm) {
        realm.setAttribute(McpRealm.ENABLED_ATTRIBUTE, "true");
        // Nothing is created per server: a server's scopes and its grant scope are made when a client first needs
        // them (ServerScopes.attach, ServerGrantScopes.findOrCreate). So enabling a realm is linear in its servers.
        List<McpServer> servers = McpServerRegistry.readServers(session, realm);
        ServerScopes.removeFromRealmDefaults(realm, new McpServerIndex(servers));
        ensureClientPolicy(session, realm);
        ensureRegistrationPolicies(realm);
        ensureResourceConsent(realm, servers);
        ensureRequiredAction(realm, ServerAccessRequiredActionFactory.ID, ServerAccessRequiredActionFactory.DISPLAY_TEXT, 5);
        McpServerRegistry.markChanged(session, realm);
        return servers;
    }

    /** A required action that decides itself when it applies: enabled, never a default action of new users. */
    private static void ensureRequiredAction(RealmModel realm, String id, String name, int priority) {
        RequiredActionProviderModel action = realm.getRequiredActionProviderByAlias(id);
        if (action == null) {
            action = new RequiredActionProviderModel();
            action.setAlias(id);
            action.setProviderId(id);
            action.setName(name);
            action.setEnabled(true);
            action.setDefaultAction(false);
            action.setPriority(priority);
            realm.addRequiredActionProvider(action);
        } else if (!action.isEnabled()) {
            action.setEnabled(true);
            realm.updateRequiredActionProvider(action);
        }
    }

    /**
     * Per-MCP-server consent: the required action that asks for a server's grant scope (made on first use), and the
     * grant scopes of removed servers and earlier resources removed (the realm's client scopes read once).
     */
    private static void ensureResourceConsent(RealmModel realm, List<McpServer> servers) {
        ServerGrantScopes.removeStale(realm, servers);
        RequiredActionProviderModel action = realm.getRequiredActionProviderByAlias(ResourceConsentRequiredActionFactory.ID);
        if (action == null) {
            action = new RequiredActionProviderModel();
            action.setAlias(ResourceConsentRequiredActionFactory.ID);
            action.setProviderId(ResourceConsentRequiredActionFactory.ID);
            action.setName("MCP: consent per MCP server");
            action.setEnabled(true);
            action.setDefaultAction(false);
            action.setPriority(1000);
            realm.addRequiredActionProvider(action);
        } else if (!action.isEnabled()) {
            action.setEnabled(true);
            realm.updateRequiredActionProvider(action);
        }
    }

    /** Keycloak's anonymous-registration policies the MCP policies replace. */
    static final List<String> REPLACED_ANONYMOUS_POLICIES = List.of("trusted-hosts", "max-clients");

    /**
     * Registration policies for both anonymous and authenticated (initial access token, bearer token) requests:
     * the MCP policies are added; Trusted Hosts (refuses every MCP client) and Max Clients (counts admin-made
     * clients too, and fills up with re-registering clients) are removed for anonymous requests. Keycloak's other
     * defaults (Consent Required, Full Scope Disabled, Allowed Client Scopes, ...) stay.
     */
    private static void ensureRegistrationPolicies(RealmModel realm) {
        List<ComponentModel> existing = realm.getComponentsStream(realm.getId(), DynamicClients.POLICY_TYPE).toList();
        for (ComponentModel component : existing) {
            if ("anonymous".equals(component.getSubType()) && REPLACED_ANONYMOUS_POLICIES.contains(component.getProviderId())) {
                realm.removeComponent(component);
            }
        }
        for (String subType : List.of("anonymous", "authenticated")) {
            ensurePolicy(realm, existing, subType, RegistrationSettings.CLIENT_POLICY_ID, "MCP dynamic clients", Map.of(
                    RegistrationSettings.MAX_REDIRECT_URIS, Integer.toString(RegistrationSettings.DEFAULT_MAX_REDIRECT_URIS),
                    RegistrationSettings.ALLOW_PRIVATE_USE_SCHEMES, "true"));
            // Holders of an initial access token or admin token are limited by the token itself, not by address.
            ensurePolicy(realm, existing, subType, RegistrationSettings.LIMITS_POLICY_ID, "MCP dynamic client limits",
                    subType.equals("authenticated") ? Map.of(RegistrationSettings.REGISTRATIONS_PER_ADDRESS, "0") : Map.of());
        }
    }

    private static void ensurePolicy(RealmModel realm, List<ComponentModel> existing, String subType, String providerId,
                                     String name, Map<String, String> config) {
        boolean present = existing.stream()
                .anyMatch(c -> subType.equals(c.getSubType()) && providerId.equals(c.getProviderId()));
        if (present) {
            return;
        }
        ComponentModel model = new ComponentModel();
        model.setName(name);
        model.setParentId(realm.getId());
        model.setProviderType(DynamicClients.POLICY_TYPE);
        model.setProviderId(providerId);
        model.setSubType(subType);
        MultivaluedHashMap<String, String> values = new MultivaluedHashMap<>();
        config.forEach(values::putSingle);
        if (providerId.equals(RegistrationSettings.CLIENT_POLICY_ID)) {
            values.put(RegistrationSettings.ALLOWED_AUTH_METHODS, new ArrayList<>(DynamicClientMetadata.DEFAULT_AUTH_METHODS));
        } else {
            values.putIfAbsent(RegistrationSettings.REGISTRATIONS_PER_ADDRESS, List.of(Integer.toString(RegistrationSettings.DEFAULT_REGISTRATIONS_PER_ADDRESS)));
            values.putSingle(RegistrationSettings.MAX_DYNAMIC_CLIENTS, Integer.toString(RegistrationSettings.DEFAULT_MAX_DYNAMIC_CLIENTS));
            values.putSingle(RegistrationSettings.RATE_WINDOW, Long.toString(RegistrationSettings.DEFAULT_RATE_WINDOW));
            values.putSingle(RegistrationSettings.IDLE_LIFETIME, Long.toString(RegistrationSettings.DEFAULT_IDLE_LIFETIME));
        }
        model.setConfig(values);
        realm.addComponentModel(model);
    }

    private static void ensureClientPolicy(KeycloakSession session, RealmModel realm) {
        try {
            ClientProfilesRepresentation profiles = session.clientPolicy().getClientProfiles(realm, false);
            List<ClientProfileRepresentation> profileList = profiles.getProfiles() == null
                    ? new ArrayList<>() : new ArrayList<>(profiles.getProfiles());
            ClientProfileRepresentation profile = profileList.stream()
                    .filter(p -> CLIENT_POLICY_NAME.equals(p.getName())).findFirst().orElse(null);
            if (profile == null) {
                profile = new ClientProfileRepresentation();
                profile.setName(CLIENT_POLICY_NAME);
                profile.setDescription("MCP authorization server rules (keycloak-mcp-authz)");
                profile.setExecutors(new ArrayList<>());
                profileList.add(profile);
            }
            List<ClientPolicyExecutorRepresentation> executors = profile.getExecutors() == null
                    ? new ArrayList<>() : new ArrayList<>(profile.getExecutors());
            boolean changed = false;
            for (String executorId : requiredExecutors()) {
                if (executors.stream().noneMatch(e -> executorId.equals(e.getExecutorProviderId()))) {
                    ClientPolicyExecutorRepresentation executor = new ClientPolicyExecutorRepresentation();
                    executor.setExecutorProviderId(executorId);
                    executor.setConfiguration(JsonSerialization.mapper.createObjectNode());
                    executors.add(executor);
                    changed = true;
                }
            }
            profile.setExecutors(executors);
            if (changed || profiles.getProfiles() == null || !profiles.getProfiles().contains(profile)) {
                profiles.setProfiles(profileList);
                session.clientPolicy().updateClientProfiles(realm, profiles);
            }

            ClientPoliciesRepresentation policies = session.clientPolicy().getClientPolicies(realm, false);
            List<ClientPolicyRepresentation> policyList = policies.getPolicies() == null
                    ? new ArrayList<>() : new ArrayList<>(policies.getPolicies());
            ClientPolicyRepresentation policy = policyList.stream()
                    .filter(p -> CLIENT_POLICY_NAME.equals(p.getName())).findFirst().orElse(null);
            if (policy == null) {
                policy = new ClientPolicyRepresentation();
                policy.setName(CLIENT_POLICY_NAME);
                policy.setProfiles(new ArrayList<>(List.of(CLIENT_POLICY_NAME)));
                policyList.add(policy);
            }
            List<ClientPolicyConditionRepresentation> conditions = policy.getConditions();
            if (conditions == null || conditions.isEmpty() || conditions.size() == 1
                    && ANY_CLIENT.equals(conditions.get(0).getConditionProviderId()) && isDefault(conditions.get(0))) {
                // New, emptied, or the plain any-client condition of earlier versions: the MCP events condition. A
                // condition an admin chose (client roles, say) stays.
                ClientPolicyConditionRepresentation mcpEvents = new ClientPolicyConditionRepresentation();
                mcpEvents.setConditionProviderId(McpEventsConditionFactory.ID);
                mcpEvents.setConfiguration(JsonSerialization.mapper.createObjectNode());
                policy.setConditions(new ArrayList<>(List.of(mcpEvents)));
                policy.setDescription(CLIENT_POLICY_DESCRIPTION);
            }
            policy.setEnabled(true);
            if (policy.getProfiles() == null) {
                policy.setProfiles(new ArrayList<>());
            }
            if (!policy.getProfiles().contains(CLIENT_POLICY_NAME)) {
                List<String> names = new ArrayList<>(policy.getProfiles());
                names.add(CLIENT_POLICY_NAME);
                policy.setProfiles(names);
            }
            policies.setPolicies(policyList);
            session.clientPolicy().updateClientPolicies(realm, policies);
        } catch (ClientPolicyException e) {
            throw new IllegalStateException("Could not configure the MCP client policy: " + e.getErrorDetail(), e);
        }
    }

    /** Whether a condition has no configuration beyond Keycloak's defaults (negative logic off). */
    private static boolean isDefault(ClientPolicyConditionRepresentation condition) {
        JsonNode configuration = condition.getConfiguration();
        if (configuration == null) {
            return true;
        }
        JsonNode negative = configuration.get(AbstractClientPolicyConditionProviderFactory.IS_NEGATIVE_LOGIC);
        return configuration.size() == (negative == null ? 0 : 1) && (negative == null || !negative.asBoolean());
    }

    private static List<String> requiredExecutors() {
        if (KeycloakCompat.has(KeycloakCompat.Capability.AUTHORIZATION_CHECK_SPI)) {
            return MCP_EXECUTORS.subList(0, MCP_EXECUTORS.size() - 1);
        }
        // Before 26.7 the MCP authorization checks (and the code's resource binding) run as the last executor.
        return MCP_EXECUTORS;
    }
}
