package io.github.mcpauthz.realm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.mcpauthz.core.KeycloakCompat;
import io.github.mcpauthz.registration.DynamicClientCleanup;
import io.github.mcpauthz.registration.DynamicClients;
import io.github.mcpauthz.registry.InvalidResourceException;
import io.github.mcpauthz.registry.McpServer;
import io.github.mcpauthz.registry.McpServerComponentFactory;
import io.github.mcpauthz.registry.McpServerRegistry;
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
    public Map<String, Object> status() {
        auth.realm().requireViewRealm();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("realm", realm.getName());
        out.put("enabled", McpRealm.isEnabled(realm));
        if (!KeycloakCompat.supported()) {
            out.put("inactive", KeycloakCompat.unsupportedReason());
        }
        out.put("issuer", issuer());
        out.put("servers", listServers());
        return out;
    }

    /** Makes the realm an MCP authorization server (idempotent). */
    @POST
    @Path("enable")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> enable() {
        auth.realm().requireManageRealm();
        if (!KeycloakCompat.supported()) {
            throw new ErrorResponseException("unsupported_keycloak_version", KeycloakCompat.unsupportedReason(),
                    Response.Status.CONFLICT);
        }
        McpRealmSetup.enable(session, realm);
        adminEvent.operation(OperationType.UPDATE).resource(ResourceType.REALM)
                .resourcePath("mcp-authz", "enable").representation(Map.of("enabled", true)).success();
        Map<String, Object> out = status();
        return out;
    }

    @GET
    @Path("servers")
    @Produces(MediaType.APPLICATION_JSON)
    public List<Map<String, Object>> listServers() {
        auth.realm().requireViewRealm();
        List<Map<String, Object>> out = new ArrayList<>();
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
            return Response.ok(toJson(McpServerComponentFactory.toServer(model))).build();
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
            return error(Response.Status.BAD_REQUEST, "invalid_request", problem);
        }
        try {
            model = realm.addComponentModel(model);
        } catch (ComponentValidationException e) {
            return error(Response.Status.BAD_REQUEST, "invalid_request", e.getMessage());
        }
        Map<String, Object> json = serverJson(model);
        adminEvent.operation(OperationType.CREATE).resourcePath("components", model.getId()).representation(json).success();
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
            return error(Response.Status.BAD_REQUEST, "invalid_request", problem);
        }
        try {
            realm.updateComponent(model);
        } catch (ComponentValidationException e) {
            return error(Response.Status.BAD_REQUEST, "invalid_request", e.getMessage());
        }
        Map<String, Object> json = serverJson(realm.getComponent(id));
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
    public List<Map<String, Object>> listDynamicClients() {
        auth.clients().requireView();
        List<Map<String, Object>> out = new ArrayList<>();
        DynamicClients.stream(session, realm, null).forEach(client -> {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("clientId", client.getClientId());
            json.put("name", client.getName());
            json.put("redirectUris", client.getRedirectUris());
            json.put("publicClient", client.isPublicClient());
            for (String attribute : List.of(DynamicClients.METHOD, DynamicClients.REGISTERED_AT, DynamicClients.REGISTERED_FROM,
                    DynamicClients.SOFTWARE_ID, DynamicClients.SOFTWARE_VERSION, DynamicClients.REDIRECT_HOSTS,
                    DynamicClients.APPLICATION_TYPE, DynamicClients.REQUESTED_RESOURCES, DynamicClients.LAST_USED)) {
                String value = client.getAttribute(attribute);
                if (value != null) {
                    json.put(attribute, value);
                }
            }
            out.add(json);
        });
        return out;
    }

    /** Deletes the realm's idle dynamic clients now, instead of waiting for the scheduled cleanup. */
    @POST
    @Path("dynamic-clients/cleanup")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> cleanupDynamicClients() {
        auth.clients().requireManage();
        List<String> deleted = DynamicClientCleanup.clean(session, realm);
        for (String clientId : deleted) {
            adminEvent.operation(OperationType.DELETE).resource(ResourceType.CLIENT).resourcePath("clients", clientId)
                    .detail("reason", DynamicClientCleanup.REASON_IDLE).success();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("deleted", deleted);
        out.put("idleLifetimeSeconds", DynamicClients.idleLifetimeSeconds(realm));
        return out;
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
            model.put(McpServerComponentFactory.RESOURCE, (String) resource);
        }
        Object name = body.containsKey("name") ? body.get("name") : body.get("displayName");
        if (name != null) {
            if (!(name instanceof String)) {
                return "name must be a string";
            }
            model.put(McpServerComponentFactory.DISPLAY_NAME, (String) name);
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
            model.getConfig().put(McpServerComponentFactory.SCOPES, list);
        }
        Object def = body.get("default");
        if (def != null) {
            if (!(def instanceof Boolean) && !(def instanceof String)) {
                return "default must be true or false";
            }
            model.put(McpServerComponentFactory.DEFAULT, Boolean.toString(Boolean.parseBoolean(def.toString())));
        }
        return null;
    }

    private Map<String, Object> serverJson(ComponentModel model) {
        try {
            return toJson(McpServerComponentFactory.toServer(model));
        } catch (InvalidResourceException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> toJson(McpServer server) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", server.id());
        out.put("resource", server.resource().uri());
        out.put("name", server.name());
        out.put("scopes", server.scopes());
        out.put("default", server.defaultForRealm());
        return out;
    }

    private String issuer() {
        return session.getContext().getUri().getBaseUriBuilder().path("realms").path(realm.getName()).build().toString();
    }

    private static Response error(Response.Status status, String error, String description) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", description);
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body).build();
    }
}
