package io.github.mcpauthz.registration;

import io.github.mcpauthz.core.McpRealm;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import io.github.mcpauthz.core.KeycloakCompat;
import org.keycloak.Config;
import org.keycloak.events.EventType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.services.clientregistration.ClientRegistrationProvider;
import org.keycloak.services.clientregistration.ClientRegistrationProviderFactory;
import org.keycloak.services.clientregistration.DefaultClientRegistrationProvider;

/**
 * Keycloak's own-format registration endpoint ({@code /clients-registrations/default}), closed for creating and
 * updating clients in MCP realms: its representation can set anything (consent off, full scope, any grant), so MCP
 * clients register and update only through the OpenID Connect endpoint, where the MCP rules apply. Answered before
 * any registration policy runs, so the answer does not depend on their order. Reading and deleting stay Keycloak's.
 */
public class McpDefaultClientRegistrationProviderFactory implements ClientRegistrationProviderFactory {

    public static final String ID = "default";

    static final String DESCRIPTION = "This realm registers MCP clients only at clients-registrations/openid-connect (RFC 7591/7592)";

    @Override
    public ClientRegistrationProvider create(KeycloakSession session) {
        return KeycloakCompat.supported() ? new Provider(session) : new DefaultClientRegistrationProvider(session);
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }

    public static class Provider extends DelegatingClientRegistrationProvider<DefaultClientRegistrationProvider> {

        private final KeycloakSession session;

        Provider(KeycloakSession session) {
            super(new DefaultClientRegistrationProvider(session));
            this.session = session;
        }

        @POST
        @Consumes(MediaType.APPLICATION_JSON)
        @Produces(MediaType.APPLICATION_JSON)
        public Response createDefault(ClientRepresentation client) {
            refuseInMcpRealm(EventType.CLIENT_REGISTER);
            return delegate.createDefault(client);
        }

        @GET
        @Path("{clientId}")
        @Produces(MediaType.APPLICATION_JSON)
        public Response getDefault(@PathParam("clientId") String clientId) {
            return delegate.getDefault(clientId);
        }

        @PUT
        @Path("{clientId}")
        @Consumes(MediaType.APPLICATION_JSON)
        @Produces(MediaType.APPLICATION_JSON)
        public Response updateDefault(@PathParam("clientId") String clientId, ClientRepresentation client) {
            refuseInMcpRealm(EventType.CLIENT_UPDATE);
            return delegate.updateDefault(clientId, client);
        }

        @DELETE
        @Path("{clientId}")
        public void deleteDefault(@PathParam("clientId") String clientId) {
            delegate.deleteDefault(clientId);
        }

        private void refuseInMcpRealm(EventType type) {
            if (McpRealm.isEnabled(session.getContext().getRealm())) {
                throw refuse(type, DESCRIPTION);
            }
        }
    }
}
