package io.github.mcpauthz.registration;

import io.github.mcpauthz.core.KeycloakCompat;
import org.keycloak.services.cors.Cors;

import io.github.mcpauthz.core.client.ClientMetadataException;
import io.github.mcpauthz.core.client.DynamicClientMetadata;
import io.github.mcpauthz.core.client.DynamicClients;
import io.github.mcpauthz.core.client.RedirectUriRules;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.mcpauthz.core.McpRealm;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.events.EventType;
import io.github.mcpauthz.core.ScopeNames;
import io.github.mcpauthz.core.McpServerIndex;
import io.github.mcpauthz.core.McpServerRegistry;
import io.github.mcpauthz.core.ServerScopes;
import org.keycloak.models.RealmModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.representations.oidc.OIDCClientRepresentation;
import org.keycloak.services.clientregistration.oidc.OIDCClientRegistrationProvider;
import org.keycloak.util.JsonSerialization;

/**
 * Keycloak's OpenID Connect dynamic client registration endpoint ({@code /clients-registrations/openid-connect}),
 * reading the request body the way MCP clients send it.
 *
 * <p>In realms with MCP support: fields Keycloak does not know (such as {@code resource}) no longer fail the
 * request with "Unrecognized field"; the {@code openid} scope, which is not a client scope in Keycloak, is
 * dropped from {@code scope}; and the raw metadata is kept for the MCP registration policies, which validate it
 * and record what Keycloak would drop ({@code software_id}, {@code software_version}, {@code application_type}).
 * All registration work is Keycloak's {@link OIDCClientRegistrationProvider}. Other realms see Keycloak's behaviour.
 */
public class McpOidcClientRegistrationProvider extends DelegatingClientRegistrationProvider<OIDCClientRegistrationProvider> {

    private static final ObjectMapper LENIENT = JsonSerialization.mapper.copy()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final ObjectMapper STRICT = JsonSerialization.mapper.copy()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private final KeycloakSession session;

    public McpOidcClientRegistrationProvider(KeycloakSession session) {
        super(new OIDCClientRegistrationProvider(session));
        this.session = session;
    }

    @OPTIONS
    public Response preflight() {
        return KeycloakCompat.has(KeycloakCompat.Capability.REGISTRATION_PREFLIGHT) ? Since26Point5.preflight(delegate) : preflightResponse();
    }

    @OPTIONS
    @Path("{clientId}")
    public Response preflightClient() {
        return KeycloakCompat.has(KeycloakCompat.Capability.REGISTRATION_PREFLIGHT) ? Since26Point5.preflightClient(delegate)
                : preflightResponse();
    }

    /** Before 26.5 Keycloak's endpoint has no preflight: the one 26.5 answers. */
    private static Response preflightResponse() {
        return Cors.builder().auth().preflight().allowedMethods("GET", "POST", "PUT", "DELETE", "OPTIONS").add(Response.ok());
    }

    /** Keycloak 26.5+ only: never loaded without {@link KeycloakCompat.Capability#REGISTRATION_PREFLIGHT}. */
    private static final class Since26Point5 {
        static Response preflight(OIDCClientRegistrationProvider delegate) {
            return delegate.preflight();
        }

        static Response preflightClient(OIDCClientRegistrationProvider delegate) {
            return delegate.preflightClient();
        }

        static Response delete(OIDCClientRegistrationProvider delegate, String clientId) {
            return delegate.deleteOIDC(clientId);
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response createOIDC(String body) {
        OIDCClientRepresentation client = read(body, EventType.CLIENT_REGISTER);
        // The realm's cap on dynamic clients is checked last, right before the commit (its lock is held until then).
        session.setAttribute(DynamicClientLimitsPolicy.DEFER_CAP_CHECK, Boolean.TRUE);
        try {
            Response response = delegate.createOIDC(client);
            DynamicClientLimitsPolicy.checkDeferredCap(session);
            return response;
        } finally {
            session.removeAttribute(DynamicClientLimitsPolicy.DEFER_CAP_CHECK);
        }
    }

    @GET
    @Path("{clientId}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response getOIDC(@PathParam("clientId") String clientId) {
        return delegate.getOIDC(clientId);
    }

    @PUT
    @Path("{clientId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response updateOIDC(@PathParam("clientId") String clientId, String body) {
        return delegate.updateOIDC(clientId, read(body, EventType.CLIENT_UPDATE));
    }

    @DELETE
    @Path("{clientId}")
    public Response deleteOIDC(@PathParam("clientId") String clientId) {
        if (KeycloakCompat.has(KeycloakCompat.Capability.REGISTRATION_PREFLIGHT)) {
            return Since26Point5.delete(delegate, clientId);
        }
        // Before 26.5 Keycloak's deleteOIDC returns void (and adds no CORS headers): the same delete, then 204.
        delegate.delete(clientId);
        return Response.noContent().build();
    }

    private OIDCClientRepresentation read(String body, EventType eventType) {
        try {
            return parse(body);
        } catch (ClientMetadataException e) {
            throw refuse(eventType, e.description());
        }
    }

    private OIDCClientRepresentation parse(String body) throws ClientMetadataException {
        if (body == null || body.isBlank()) {
            throw invalid("A JSON object with the client metadata is required");
        }
        if (!McpRealm.isEnabled(session.getContext().getRealm())) {
            try {
                return STRICT.readValue(body, OIDCClientRepresentation.class);
            } catch (JsonProcessingException e) {
                throw invalid("Client metadata is not valid: " + e.getOriginalMessage());
            }
        }
        JsonNode metadata;
        try {
            metadata = LENIENT.readTree(body);
        } catch (JsonProcessingException e) {
            throw invalid("Client metadata is not valid JSON");
        }
        if (metadata == null || !metadata.isObject()) {
            throw invalid("Client metadata must be a JSON object");
        }
        session.setAttribute(DynamicClients.METADATA_SESSION_ATTRIBUTE, metadata.deepCopy());
        ObjectNode forKeycloak = (ObjectNode) metadata.deepCopy();
        forKeycloak.remove("resource");
        JsonNode scope = forKeycloak.get("scope");
        if (scope != null && scope.isTextual()) {
            String withoutOpenid = Arrays.stream(scope.asText().split(" "))
                    .filter(s -> !s.isEmpty() && !s.equals("openid"))
                    .collect(Collectors.joining(" "));
            RealmModel realm = session.getContext().getRealm();
            McpServerIndex index = McpServerRegistry.index(realm);
            Set<String> realmDefaults = new HashSet<>();
            realm.getDefaultClientScopesStream(true).forEach(sc -> realmDefaults.add(sc.getName()));
            realm.getDefaultClientScopesStream(false).forEach(sc -> realmDefaults.add(sc.getName()));
            List<String> forRegistration = new ArrayList<>();
            List<String> serverScopes = new ArrayList<>();
            for (String name : withoutOpenid.split(" ")) {
                if (name.isEmpty()) {
                    continue;
                }
                // Checked here, before any registration policy, so the answer does not depend on their order.
                if (!ScopeNames.isValid(name)) {
                    throw invalid("scope contains an invalid scope name: " + RedirectUriRules.abbreviate(name));
                }
                if (ScopeNames.isReserved(name)) {
                    throw invalid(ScopeNames.RESERVED_IN_CLIENT_METADATA);
                }
                if (index.isServerScope(name)) {
                    // Not realm default scopes (see ServerScopes): attached after Keycloak's "Allowed Client Scopes".
                    serverScopes.add(name);
                } else if (realmDefaults.contains(name) || ServerScopes.find(realm, name) != null) {
                    forRegistration.add(name);
                } else {
                    throw invalid("scope " + RedirectUriRules.abbreviate(name) + " does not exist in this realm");
                }
            }
            session.setAttribute(DynamicClients.SERVER_SCOPES_SESSION_ATTRIBUTE, serverScopes);
            if (withoutOpenid.isEmpty()) {
                forKeycloak.remove("scope");
            } else {
                // A scope of server scopes only still means "these scopes, not the realm's defaults", as before.
                forKeycloak.put("scope", String.join(" ", forRegistration));
            }
        }
        // Keycloak's converter parses jwks without catching errors (a 500) and refuses other mistakes with a bare
        // "Client metadata invalid": check first and say what is wrong.
        JsonNode method = forKeycloak.get("token_endpoint_auth_method");
        if (method != null && !method.isNull() && !method.isTextual()) {
            throw invalid("token_endpoint_auth_method must be a string");
        }
        DynamicClientMetadata.checkKeysAndFetchedUris(forKeycloak, method == null || method.isNull() ? null : method.asText());
        try {
            return LENIENT.treeToValue(forKeycloak, OIDCClientRepresentation.class);
        } catch (JsonMappingException e) {
            String field = e.getPath().isEmpty() || e.getPath().get(0).getFieldName() == null
                    ? "a field" : e.getPath().get(0).getFieldName();
            throw invalid(field + " has the wrong type (see RFC 7591 for the expected JSON types)");
        } catch (JsonProcessingException e) {
            throw invalid("Client metadata is not valid");
        }
    }

    private static ClientMetadataException invalid(String description) {
        return ClientMetadataException.metadata(description);
    }
}
