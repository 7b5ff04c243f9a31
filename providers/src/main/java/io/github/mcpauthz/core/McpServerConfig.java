package io.github.mcpauthz.core;

import java.util.List;

import org.keycloak.component.ComponentModel;
import org.keycloak.services.ui.extend.UiPageProvider;

/**
 * How an MCP server is stored: one realm component of type {@link UiPageProvider} with provider id
 * {@value #PROVIDER_ID} (the admin console's "MCP servers" page), and these configuration keys.
 */
public final class McpServerConfig {

    public static final String PROVIDER_ID = "mcp-servers";
    public static final String COMPONENT_TYPE = UiPageProvider.class.getName();

    public static final String RESOURCE = "resource";
    public static final String DISPLAY_NAME = "display-name";
    public static final String SCOPES = "scopes";
    public static final String DEFAULT = "default-resource";

    private McpServerConfig() {
    }

    /** True for a component that stores an MCP server. */
    public static boolean isServer(ComponentModel model) {
        return PROVIDER_ID.equals(model.getProviderId()) && COMPONENT_TYPE.equals(model.getProviderType());
    }

    /** Reads a stored component; throws when its configuration is not a valid server. */
    public static McpServer toServer(ComponentModel model) throws InvalidResourceException {
        CanonicalResource resource = CanonicalResource.parse(model.get(RESOURCE));
        String name = model.get(DISPLAY_NAME);
        if (name == null || name.isBlank()) {
            name = resource.uri();
        }
        List<String> scopes = ScopeNames.normalise(model.getConfig().getList(SCOPES));
        return new McpServer(model.getId(), resource, name.strip(), scopes, Boolean.parseBoolean(model.get(DEFAULT)));
    }

}
