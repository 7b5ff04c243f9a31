package io.github.mcpauthz.demo;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the demo server runs: where it listens, which realm it trusts and which resource it is.
 *
 * @param bindHost host name or address to listen on; every address it resolves to gets a listener
 * @param port     TCP port; 0 picks a free one (tests)
 * @param issuer   the realm's issuer, exactly as Keycloak writes {@code iss} (e.g. {@code http://localhost:8080/realms/mcp})
 * @param resource this server's resource identifier (RFC 8707/9728) with path {@code /mcp}, the only accepted
 *                 {@code aud}; null: {@code http://localhost:<port>/mcp}
 */
public record DemoConfig(String bindHost, int port, String issuer, String resource) {

    public static final String DEFAULT_BIND_HOST = "localhost";
    public static final int DEFAULT_PORT = 3001;
    public static final String DEFAULT_ISSUER = "http://localhost:8080/realms/mcp";
    /** The MCP endpoint path; the path of the resource. */
    public static final String MCP_PATH = "/mcp";

    public static final String ENV_BIND_HOST = "DEMO_MCP_BIND";
    public static final String ENV_PORT = "DEMO_MCP_PORT";
    public static final String ENV_ISSUER = "DEMO_MCP_ISSUER";
    public static final String ENV_RESOURCE = "DEMO_MCP_RESOURCE";

    public DemoConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        requireHttpUrl("issuer", issuer);
        if (issuer.endsWith("/")) {
            throw new IllegalArgumentException("issuer must not end with '/': " + issuer);
        }
        if (resource != null) {
            requireHttpUrl("resource", resource);
            if (!MCP_PATH.equals(URI.create(resource).getRawPath())) {
                throw new IllegalArgumentException("the resource's path must be " + MCP_PATH + ": " + resource);
            }
        }
    }

    /** The defaults: {@code localhost:3001}, realm {@code mcp} of a Keycloak at {@code localhost:8080}. */
    public static DemoConfig defaults() {
        return new DemoConfig(DEFAULT_BIND_HOST, DEFAULT_PORT, DEFAULT_ISSUER, null);
    }

    /**
     * Command line ({@code --port N --issuer URL --resource URL --bind HOST}) over environment
     * ({@value #ENV_PORT}, {@value #ENV_ISSUER}, {@value #ENV_RESOURCE}, {@value #ENV_BIND_HOST}) over defaults.
     */
    public static DemoConfig from(String[] args, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        putIfSet(values, "bind", env.get(ENV_BIND_HOST));
        putIfSet(values, "port", env.get(ENV_PORT));
        putIfSet(values, "issuer", env.get(ENV_ISSUER));
        putIfSet(values, "resource", env.get(ENV_RESOURCE));
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + arg);
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException(arg + " needs a value");
            }
            if (!java.util.List.of("bind", "port", "issuer", "resource").contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name);
            }
            values.put(name, value);
        }
        int port;
        try {
            port = Integer.parseInt(values.getOrDefault("port", String.valueOf(DEFAULT_PORT)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port is not a number: " + values.get("port"));
        }
        return new DemoConfig(values.getOrDefault("bind", DEFAULT_BIND_HOST), port,
                values.getOrDefault("issuer", DEFAULT_ISSUER), values.get("resource"));
    }

    /** The resource this server is, once its port is known. */
    public String resourceFor(int boundPort) {
        return resource != null ? resource : "http://localhost:" + boundPort + MCP_PATH;
    }

    private static void putIfSet(Map<String, String> values, String name, String value) {
        if (value != null && !value.isBlank()) {
            values.put(name, value.trim());
        }
    }

    private static void requireHttpUrl(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is missing");
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(what + " is not a URL: " + value);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException(what + " must be an http(s) URL without query, fragment or user info: "
                    + value);
        }
    }
}
