package io.github.mcpauthz.setup;

import org.keycloak.OAuthErrorException;

import io.github.mcpauthz.core.McpServerConfig;
import io.github.mcpauthz.core.McpServerIndex;
import io.github.mcpauthz.core.McpRealm;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.github.mcpauthz.core.client.DynamicClientCleanup;
import io.github.mcpauthz.core.client.DynamicClients;
import io.github.mcpauthz.core.InvalidResourceException;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.McpServerRegistry;
import com.fasterxml.jackson.core.type.TypeReference;
import io.github.mcpauthz.core.KeycloakCompat;
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
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.events.admin.OperationType;
import org.keycloak.events.admin.ResourceType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.representations.idm.OAuth2ErrorRepresentation;
import org.keycloak.util.JsonSerialization;
import org.keycloak.services.ErrorResponseException;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;

/**
 * Admin REST API at {@code /admin/realms/{realm}/mcp-authz}: enable MCP support and manage MCP servers.
 * Uses the realm admin's bearer token, like every admin endpoint (kcadm.sh works with it).
 */
public class McpAdminResource {

    private final KeycloakSession session;
    private final RealmModel realm;
    private final AdminPermissionEvaluator auth;
    private final AdminEventBuilder adminEvent;

    public McpAdminResource(KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth, AdminEventBuilder adminEvent) {
        this.session = session;
        this.realm = realm;
        this.auth = auth;
        this.adminEvent = adminEvent.resource(ResourceType.COMPONENT);
    }

    /** MCP status of the realm. */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public McpRepresentations.Status status() {
        auth.realm().requireViewRealm();
        return status(McpServerRegistry.loadServers(realm));
    }

    private McpRepresentations.Status status(List<McpServer> servers) {
        return new McpRepresentations.Status(realm.getName(), McpRealm.isEnabled(realm),
                KeycloakCompat.supported() ? null : KeycloakCompat.unsupportedReason(), issuer(),
                servers.stream().map(McpAdminResource::toJson).toList());
    }

    /** Makes the realm an MCP authorization server (idempotent). */
    @POST
    @Path("enable")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public McpRepresentations.Status enable() {
        auth.realm().requireManageRealm();
        if (!KeycloakCompat.supported()) {
            throw new ErrorResponseException("unsupported_keycloak_version", KeycloakCompat.unsupportedReason(),
                    Response.Status.CONFLICT);
        }
        // The realm changed, so reading its servers through it would load each one's configuration separately.
        List<McpServer> servers = McpRealmSetup.enable(session, realm);
        adminEvent.operation(OperationType.UPDATE).resource(ResourceType.REALM)
                .resourcePath("mcp-authz", "enable").representation(Map.of("enabled", true)).success();
        return status(servers);
    }

    @GET
    @Path("servers")
    @Produces(MediaType.APPLICATION_JSON)
    public List<McpRepresentations.Server> listServers() {
        auth.realm().requireViewRealm();
        List<McpRepresentations.Server> out = new ArrayList<>();
        for (McpServer server : McpServerRegistry.loadServers(realm)) {
            out.add(toJson(server));
        }
        return out;
    }

    @GET
    @Path("servers/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public Response getServer(@PathParam("id") String id) {
        auth.realm().requireViewRealm();
        ComponentModel model = findComponent(id);
        if (model == null) {
            return error(Response.Status.NOT_FOUND, "not_found", "No MCP server with id " + id);
        }
        try {
            return Response.ok(toJson(McpServerConfig.toServer(model))).build();
        } catch (InvalidResourceException e) {
            return error(Response.Status.CONFLICT, "invalid_configuration", e.getMessage());
        }
    }

    @POST
    @Path("servers")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response createServer(Map<String, Object> body) {
        auth.realm().requireManageRealm();
        ComponentModel model = new ComponentModel();
        model.setParentId(realm.getId());
        model.setProviderId(McpServerComponentFactory.ID);
        model.setProviderType(McpServerRegistry.COMPONENT_TYPE);
        String problem = applyBody(model, body, true);
        if (problem != null) {
            return error(Response.Status.BAD_REQUEST, OAuthErrorException.INVALID_REQUEST, problem);
        }
        try {
            model = realm.addComponentModel(model);
        } catch (ComponentValidationException e) {
            return error(Response.Status.BAD_REQUEST, OAuthErrorException.INVALID_REQUEST, e.getMessage());
        }
        McpRepresentations.Server json = serverJson(model);
        adminEvent.operation(OperationType.CREATE).resourcePath("components", model.getId()).representation(json).success();
        return Response.status(Response.Status.CREATED).entity(json).build();
    }

    /** At most this many servers per batch request. */
    static final int MAX_BATCH = 10_000;

    /**
     * Registers many servers in one transaction: all or nothing. Each entry is checked as {@code POST servers} checks
     * one (and against the other entries); the registry index is rebuilt once, and nothing is created per server (its
     * scopes and grant scope are made on first use). Linear in the number of servers.
     */
    @POST
    @Path("servers/batch")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response createServers(String body) {
        auth.realm().requireManageRealm();
        List<Map<String, Object>> bodies;
        try {
            bodies = body == null || body.isBlank() ? null
                    : JsonSerialization.readValue(body, new TypeReference<List<Map<String, Object>>>() { });
        } catch (IOException e) {
            return error(Response.Status.BAD_REQUEST, OAuthErrorException.INVALID_REQUEST, "The body must be a JSON array of MCP server objects");
        }
        if (bodies == null || bodies.isEmpty()) {
            return error(Response.Status.BAD_REQUEST, OAuthErrorException.INVALID_REQUEST, "A JSON array of MCP servers is required");
        }
        if (bodies.size() > MAX_BATCH) {
            return error(Response.Status.BAD_REQUEST, OAuthErrorException.INVALID_REQUEST, "At most " + MAX_BATCH + " servers per batch");
        }
        McpServerIndex existing = McpServerRegistry.index(realm);
        Map<String, Integer> seen = new HashMap<>();
        boolean defaultTaken = existing.defaultServer().isPresent();
        List<ComponentModel> models = new ArrayList<>();
        for (int i = 0; i < bodies.size(); i++) {
            ComponentModel model = new ComponentModel();
            model.setParentId(realm.getId());
            model.setProviderId(McpServerComponentFactory.ID);
            model.setProviderType(McpServerRegistry.COMPONENT_TYPE);
            String problem = bodies.get(i) == null ? "an MCP server object is required" : applyBody(model, bodies.get(i), true);
            McpServer server = null;
            if (problem == null) {
                try {
                    server = McpServerConfig.toServer(model);
                    McpServerConfig.validateAccessSettings(model);
                } catch (InvalidResourceException | IllegalArgumentException e) {
                    problem = "invalid server: " + e.getMessage();
                } catch (ComponentValidationException e) {
                    problem = e.getMessage();
                }
            }
            if (problem == null) {
                String key = server.resource().matchKey();
                Integer other = seen.putIfAbsent(key, i);
                if (other != null) {
                    problem = "resource " + server.resource().uri() + " is also entry " + other;
                } else if (existing.find(server.resource()).isPresent()) {
                    problem = "An MCP server with resource " + server.resource().uri() + " is already registered";
                } else if (server.defaultForRealm() && defaultTaken) {
                    problem = "only one server per realm can be the default for requests without resource";
                }
                defaultTaken |= server.defaultForRealm();
            }
            if (problem != null) {
                return error(Response.Status.BAD_REQUEST, OAuthErrorException.INVALID_REQUEST, "entry " + i + ": " + problem);
            }
            models.add(model);
        }
        List<McpServer> created = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            try {
                // importComponentModel validates (against the index as it was: the batch was checked above) and
                // skips the per-server hooks, which run once for the whole batch below.
                ComponentModel model = realm.importComponentModel(models.get(i));
                created.add(McpServerConfig.toServer(model));
            } catch (ComponentValidationException | InvalidResourceException e) {
                session.getTransactionManager().setRollbackOnly();
                return error(Response.Status.BAD_REQUEST, OAuthErrorException.INVALID_REQUEST, "entry " + i + ": " + e.getMessage());
            }
        }
        McpServerComponentFactory.afterCreate(session, realm, created);
        List<McpRepresentations.Server> json = created.stream().map(McpAdminResource::toJson).toList();
        adminEvent.operation(OperationType.CREATE).resourcePath("mcp-authz", "servers", "batch")
                .representation(Map.of("created", created.size())).success();
        return Response.status(Response.Status.CREATED).entity(json).build();
    }

    @PUT
    @Path("servers/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response updateServer(@PathParam("id") String id, Map<String, Object> body) {
        auth.realm().requireManageRealm();
        ComponentModel existing = findComponent(id);
        if (existing == null) {
            return error(Response.Status.NOT_FOUND, "not_found", "No MCP server with id " + id);
        }
        ComponentModel model = new ComponentModel(existing);
        String problem = applyBody(model, body, false);
        if (problem != null) {
            return error(Response.Status.BAD_REQUEST, OAuthErrorException.INVALID_REQUEST, problem);
        }
        try {
            realm.updateComponent(model);
        } catch (ComponentValidationException e) {
            return error(Response.Status.BAD_REQUEST, OAuthErrorException.INVALID_REQUEST, e.getMessage());
        }
        McpRepresentations.Server json = serverJson(realm.getComponent(id));
        adminEvent.operation(OperationType.UPDATE).resourcePath("components", id).representation(json).success();
        return Response.ok(json).build();
    }

    @DELETE
    @Path("servers/{id}")
    public Response deleteServer(@PathParam("id") String id) {
        auth.realm().requireManageRealm();
        ComponentModel existing = findComponent(id);
        if (existing == null) {
            return error(Response.Status.NOT_FOUND, "not_found", "No MCP server with id " + id);
        }
        realm.removeComponent(existing);
        adminEvent.operation(OperationType.DELETE).resourcePath("components", id).success();
        return Response.noContent().build();
    }

    /** Dynamically registered MCP clients with their provenance. */
    @GET
    @Path("dynamic-clients")
    @Produces(MediaType.APPLICATION_JSON)
    public List<McpRepresentations.DynamicClient> listDynamicClients() {
        auth.clients().requireView();
        return DynamicClients.stream(session, realm, null).map(McpRepresentations.DynamicClient::new).toList();
    }

    /** Deletes the realm's idle dynamic clients now, instead of waiting for the scheduled cleanup. */
    @POST
    @Path("dynamic-clients/cleanup")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public McpRepresentations.Cleanup cleanupDynamicClients() {
        auth.clients().requireManage();
        List<String> deleted = DynamicClientCleanup.clean(session, realm);
        for (String clientId : deleted) {
            adminEvent.operation(OperationType.DELETE).resource(ResourceType.CLIENT).resourcePath("clients", clientId)
                    .detail("reason", DynamicClientCleanup.REASON_IDLE).success();
        }
        return new McpRepresentations.Cleanup(deleted, DynamicClients.idleLifetimeSeconds(realm));
    }

    private ComponentModel findComponent(String id) {
        ComponentModel model = realm.getComponent(id);
        return model != null && McpServerComponentFactory.ID.equals(model.getProviderId())
                && McpServerRegistry.COMPONENT_TYPE.equals(model.getProviderType()) ? model : null;
    }

    /** Copies the JSON body into the component; returns a problem description or null. */
    private static String applyBody(ComponentModel model, Map<String, Object> body, boolean create) {
        if (body == null) {
            return "A JSON body is required";
        }
        Object resource = body.get("resource");
        if (resource != null && !(resource instanceof String)) {
            return "resource must be a string";
        }
        if (resource == null && create) {
            return "resource is required";
        }
        if (resource != null) {
            model.put(McpServerConfig.RESOURCE, (String) resource);
        }
        Object name = body.containsKey("name") ? body.get("name") : body.get("displayName");
        if (name != null) {
            if (!(name instanceof String)) {
                return "name must be a string";
            }
            model.put(McpServerConfig.DISPLAY_NAME, (String) name);
            model.setName((String) name);
        }
        Object scopes = body.get("scopes");
        if (scopes != null) {
            List<String> list = new ArrayList<>();
            if (scopes instanceof String s) {
                list.add(s);
            } else if (scopes instanceof List<?> l) {
                for (Object o : l) {
                    if (!(o instanceof String)) {
                        return "scopes must be a list of strings";
                    }
                    list.add((String) o);
                }
            } else {
                return "scopes must be a list of strings";
            }
            model.getConfig().put(McpServerConfig.SCOPES, list);
        }
        Object def = body.get("default");
        if (def != null) {
            if (!(def instanceof Boolean) && !(def instanceof String)) {
                return "default must be true or false";
            }
            model.put(McpServerConfig.DEFAULT, Boolean.toString(Boolean.parseBoolean(def.toString())));
        }
        for (String[] field : new String[][] {{"exchangeAudiences", McpServerConfig.EXCHANGE_AUDIENCES},
                {"machineClients", McpServerConfig.MACHINE_CLIENTS}, {"access", McpServerConfig.ACCESS_RULE}}) {
            String problem = applyList(model, body, field[0], field[1]);
            if (problem != null) {
                return problem;
            }
        }
        for (String[] field : new String[][] {{"clientId", McpServerConfig.CLIENT_ID},
                {"tokenRoles", McpServerConfig.TOKEN_ROLES}, {"rolesClientId", McpServerConfig.ROLES_CLIENT_ID}}) {
            String problem = applyString(model, body, field[0], field[1]);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /** A list of strings under {@code field} ({@code []} or null clears it); an error text, or null. */
    private static String applyList(ComponentModel model, Map<String, Object> body, String field, String key) {
        if (!body.containsKey(field)) {
            return null;
        }
        Object value = body.get(field);
        List<String> list = new ArrayList<>();
        if (value instanceof List<?> l) {
            for (Object o : l) {
                if (!(o instanceof String)) {
                    return field + " must be a list of strings";
                }
                list.add((String) o);
            }
        } else if (value != null) {
            return field + " must be a list of strings";
        }
        model.getConfig().put(key, list);
        return null;
    }

    /** A string under {@code field} (null or blank clears it); an error text, or null. */
    private static String applyString(ComponentModel model, Map<String, Object> body, String field, String key) {
        if (!body.containsKey(field)) {
            return null;
        }
        Object value = body.get(field);
        if (value != null && !(value instanceof String)) {
            return field + " must be a string";
        }
        if (value == null || ((String) value).isBlank()) {
            model.getConfig().remove(key);
        } else {
            model.put(key, (String) value);
        }
        return null;
    }

    private McpRepresentations.Server serverJson(ComponentModel model) {
        try {
            return toJson(McpServerConfig.toServer(model));
        } catch (InvalidResourceException e) {
            throw new IllegalStateException(e);
        }
    }

    private static McpRepresentations.Server toJson(McpServer server) {
        return McpRepresentations.Server.of(server);
    }

    private String issuer() {
        return session.getContext().getUri().getBaseUriBuilder().path("realms").path(realm.getName()).build().toString();
    }

    private static Response error(Response.Status status, String error, String description) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new OAuth2ErrorRepresentation(error, description)).build();
    }
}
