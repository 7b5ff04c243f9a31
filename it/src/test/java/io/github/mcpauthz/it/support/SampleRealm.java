package io.github.mcpauthz.it.support;

import java.util.List;

/** What realm-exports/mcp-realm.json contains, as far as the tests rely on it. */
public final class SampleRealm {

    public static final String NAME = KeycloakEnvironment.REALM;

    /** "Demo MCP server", scopes mcp:tools, mcp:resources and mcp:write (DCR clients here ask for the first two). */
    public static final String DEMO_SERVER = "http://localhost:3001/mcp";
    public static final String DEMO_SCOPES = "mcp:tools mcp:resources";

    /** "Weather MCP server", scope weather:read. */
    public static final String WEATHER_SERVER = "https://weather.example.com/mcp";
    public static final String WEATHER_SCOPES = "weather:read";

    public static final List<String> REGISTERED_SERVERS = List.of(DEMO_SERVER, WEATHER_SERVER);

    /** Every MCP scope of the realm, as a DCR client asks for them. */
    public static final String ALL_MCP_SCOPES = DEMO_SCOPES + " " + WEATHER_SCOPES;

    private SampleRealm() {
    }
}
