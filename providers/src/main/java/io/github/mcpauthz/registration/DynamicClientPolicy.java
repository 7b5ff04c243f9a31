package io.github.mcpauthz.registration;

import io.github.mcpauthz.core.client.RegistrationSettings;

import io.github.mcpauthz.core.client.ClientMetadataException;
import io.github.mcpauthz.core.client.DynamicClientMetadata;
import io.github.mcpauthz.core.client.DynamicClients;
import io.github.mcpauthz.core.client.RedirectUriRules;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.core.CanonicalResource;
import io.github.mcpauthz.core.InvalidResourceException;
import io.github.mcpauthz.core.McpServerRegistry;
import io.github.mcpauthz.core.ServerScopes;
import jakarta.ws.rs.core.Response;
import org.keycloak.common.util.Time;
import org.keycloak.component.ComponentModel;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.ErrorResponseException;
import org.keycloak.services.clientregistration.ClientRegistrationContext;
import org.keycloak.services.clientregistration.ClientRegistrationProvider;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicyException;
import org.keycloak.services.clientregistration.policy.RegistrationAuth;

/**
 * Client registration policy for MCP clients (RFC 7591/7592): validates the metadata hard, stores loopback redirect
 * URIs without a port, and enforces consent, PKCE S256, the code + refresh grants only and full scope off, on
 * registration and on every update. Rejections are RFC 7591 errors, raised before Keycloak creates anything.
 */
public class DynamicClientPolicy implements ClientRegistrationPolicy {

    private final KeycloakSession session;
    private final ComponentModel model;

    public DynamicClientPolicy(KeycloakSession session, ComponentModel model) {
        this.session = session;
        this.model = model;
    }

    @Override
    public void beforeRegister(ClientRegistrationContext context) throws ClientRegistrationPolicyException {
        DynamicClientMetadata.Validated validated = validate(context);
        DynamicClients.apply(context.getClient(), validated);
        session.setAttribute(VALIDATED_ATTRIBUTE, validated);
    }

    @Override
    public void afterRegister(ClientRegistrationContext context, ClientModel client) {
        DynamicClients.enforce(client);
        DynamicClientMetadata.Validated validated = session.getAttribute(VALIDATED_ATTRIBUTE, DynamicClientMetadata.Validated.class);
        DynamicClients.markRegistered(session, client, registrationMethod(context), Time.currentTime());
        if (validated != null) {
            DynamicClients.recordMetadata(client, validated);
        }
        attachServerScopes(client);
    }

    @Override
    public void beforeUpdate(ClientRegistrationContext context, ClientModel client) throws ClientRegistrationPolicyException {
        DynamicClientMetadata.Validated validated = validate(context);
        DynamicClients.apply(context.getClient(), validated);
        session.setAttribute(VALIDATED_ATTRIBUTE, validated);
    }

    @Override
    public void afterUpdate(ClientRegistrationContext context, ClientModel client) {
        DynamicClients.enforce(client);
        DynamicClientMetadata.Validated validated = session.getAttribute(VALIDATED_ATTRIBUTE, DynamicClientMetadata.Validated.class);
        if (validated != null) {
            DynamicClients.recordMetadata(client, validated);
        }
        attachServerScopes(client);
    }

    @Override
    public void beforeView(ClientRegistrationProvider provider, ClientModel client) {
    }

    @Override
    public void beforeDelete(ClientRegistrationProvider provider, ClientModel client) {
    }

    private static final String VALIDATED_ATTRIBUTE = "mcp.registration.validated";

    private DynamicClientMetadata.Validated validate(ClientRegistrationContext context) {
        JsonNode metadata = session.getAttribute(DynamicClients.METADATA_SESSION_ATTRIBUTE, JsonNode.class);
        if (metadata == null) {
            throw reject(context, ClientMetadataException.metadata("MCP clients register at the OpenID Connect "
                    + "registration endpoint (clients-registrations/openid-connect) with RFC 7591 metadata"));
        }
        DynamicClientMetadata.Validated validated;
        try {
            validated = DynamicClientMetadata.validate(metadata, RegistrationSettings.rules(model));
        } catch (ClientMetadataException e) {
            throw reject(context, e);
        }
        RealmModel realm = session.getContext().getRealm();
        for (String resource : validated.resources()) {
            try {
                if (McpServerRegistry.index(realm).find(CanonicalResource.parse(resource)).isEmpty()) {
                    throw reject(context, ClientMetadataException.metadata("resource " + RedirectUriRules.abbreviate(resource)
                            + " is not an MCP server registered in this realm"));
                }
            } catch (InvalidResourceException e) {
                throw reject(context, ClientMetadataException.metadata("resource is invalid: " + e.getMessage()));
            }
        }
        return validated;
    }

    private ErrorResponseException reject(ClientRegistrationContext context, ClientMetadataException e) {
        EventBuilder event = context.getProvider().getEvent();
        if (event != null) {
            event.detail(Details.REASON, e.description()).error(e.error());
        }
        return new ErrorResponseException(e.error(), e.description(), Response.Status.BAD_REQUEST);
    }

    @SuppressWarnings("unchecked")
    private void attachServerScopes(ClientModel client) {
        List<String> names = session.getAttribute(DynamicClients.SERVER_SCOPES_SESSION_ATTRIBUTE, List.class);
        if (names != null && !names.isEmpty()) {
            RealmModel realm = session.getContext().getRealm();
            ServerScopes.attachNamed(session, realm, client, McpServerRegistry.index(realm), names);
        }
    }

    private String registrationMethod(ClientRegistrationContext context) {
        if (RegistrationAuth.ANONYMOUS.name().equalsIgnoreCase(model.getSubType())) {
            return "dcr-anonymous";
        }
        return context.getProvider().getAuth() != null && context.getProvider().getAuth().isInitialAccessToken()
                ? "dcr-initial-access-token" : "dcr-bearer-token";
    }

    @Override
    public void close() {
    }

}
