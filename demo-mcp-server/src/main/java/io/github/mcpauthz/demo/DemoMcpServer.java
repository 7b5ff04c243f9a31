package io.github.mcpauthz.demo;

import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import io.modelcontextprotocol.spec.McpSchema.ServerCapabilities;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The demo MCP server: the official MCP Java SDK's stateless Streamable HTTP transport in an embedded Tomcat,
 * behind {@link BearerTokenFilter}, with RFC 9728 metadata. {@code main} runs it until the JVM is stopped.
 */
public final class DemoMcpServer implements AutoCloseable {

    public static final String NAME = "Demo MCP server";
    public static final String VERSION = "0.1.0";
    static final String WELL_KNOWN = "/.well-known/oauth-protected-resource";

    private final DemoConfig config;
    private Tomcat tomcat;
    private Path baseDir;
    private McpStatelessSyncServer mcp;
    private volatile String resource;
    private volatile AccessTokenVerifier verifier;
    private int port;

    private DemoMcpServer(DemoConfig config) {
        this.config = config;
    }

    public static void main(String[] args) {
        DemoConfig config;
        try {
            config = DemoConfig.from(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("demo-mcp-server: " + e.getMessage());
            System.err.println("usage: DemoMcpServer [--port N] [--issuer URL] [--resource URL] [--bind HOST]  "
                    + "(or DEMO_MCP_PORT, DEMO_MCP_ISSUER, DEMO_MCP_RESOURCE, DEMO_MCP_BIND)");
            System.exit(2);
            return;
        }
        DemoMcpServer server = start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "demo-mcp-server-stop"));
        System.out.println("==> " + NAME + " ready at " + server.resource() + "\n"
                + "    protected resource metadata: " + server.resourceMetadataUrl() + "\n"
                + "    authorization server (realm): " + config.issuer() + "\n"
                + "    tools: whoami, read_notes (" + Scopes.TOOLS + "), add_note (" + Scopes.WRITE + ")");
    }

    /** Starts the server; fails if the port is taken. */
    public static DemoMcpServer start(DemoConfig config) {
        DemoMcpServer server = new DemoMcpServer(config);
        try {
            server.startTomcat();
        } catch (LifecycleException | IOException | RuntimeException e) {
            server.close();
            throw new IllegalStateException("the demo MCP server did not start on " + config.bindHost() + ":"
                    + config.port() + ": " + e.getMessage(), e);
        }
        return server;
    }

    private void startTomcat() throws LifecycleException, IOException {
        List<InetAddress> addresses = addresses(config.bindHost());
        baseDir = Files.createTempDirectory("demo-mcp-server");
        tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        Connector first = connector(addresses.get(0), config.port());
        tomcat.getService().addConnector(first);
        tomcat.setConnector(first);

        McpJsonMapper json = McpJsonDefaults.getMapper();
        HttpServletStatelessServerTransport transport = HttpServletStatelessServerTransport.builder()
                .jsonMapper(json)
                .messageEndpoint(DemoConfig.MCP_PATH)
                .contextExtractor(request -> McpTransportContext.create(
                        request.getAttribute(BearerTokenFilter.TOKEN) == null ? Map.of()
                                : Map.of(DemoTools.TOKEN_KEY, request.getAttribute(BearerTokenFilter.TOKEN))))
                .build();
        mcp = McpServer.sync(transport)
                .serverInfo(NAME, VERSION)
                .instructions("A demo server protected by Keycloak. whoami and read_notes need scope " + Scopes.TOOLS
                        + "; add_note needs " + Scopes.WRITE + " and so asks for more access the first time.")
                .capabilities(ServerCapabilities.builder().tools(false).build())
                .tools(new DemoTools().specifications())
                .build();

        Context context = tomcat.addContext("", baseDir.toString());
        Tomcat.addServlet(context, "mcp", transport).setAsyncSupported(true);
        context.addServletMappingDecoded(DemoConfig.MCP_PATH, "mcp");
        Tomcat.addServlet(context, "prm", new ProtectedResourceMetadataServlet(this));
        context.addServletMappingDecoded(WELL_KNOWN, "prm");
        context.addServletMappingDecoded(WELL_KNOWN + DemoConfig.MCP_PATH, "prm");
        FilterDef filter = new FilterDef();
        filter.setFilterName("bearer");
        filter.setFilter(new BearerTokenFilter(this, json));
        filter.setAsyncSupported("true");
        context.addFilterDef(filter);
        FilterMap map = new FilterMap();
        map.setFilterName("bearer");
        map.addServletName("mcp");
        context.addFilterMap(map);

        tomcat.start();
        port = first.getLocalPort();
        if (port <= 0) {
            throw new IllegalStateException("could not listen on " + addresses.get(0) + ":" + config.port());
        }
        // Same port on the other addresses of the host name (e.g. ::1 next to 127.0.0.1 for localhost).
        for (InetAddress other : addresses.subList(1, addresses.size())) {
            Connector extra = connector(other, port);
            tomcat.getService().addConnector(extra);
            if (extra.getLocalPort() <= 0) {
                log("not listening on " + other.getHostAddress() + ":" + port + " (in use?)");
                tomcat.getService().removeConnector(extra);
            }
        }
        resource = config.resourceFor(port);
        verifier = new AccessTokenVerifier(config.issuer(), resource);
    }

    private static Connector connector(InetAddress address, int port) {
        Connector connector = new Connector();
        connector.setPort(port);
        connector.setProperty("address", address.getHostAddress());
        connector.setThrowOnFailure(true);
        return connector;
    }

    private static List<InetAddress> addresses(String host) throws UnknownHostException {
        List<InetAddress> addresses = new ArrayList<>();
        for (InetAddress address : InetAddress.getAllByName(host)) {
            if (!addresses.contains(address)) {
                addresses.add(address);
            }
        }
        return addresses;
    }

    public DemoConfig config() {
        return config;
    }

    /** This server's resource identifier, e.g. {@code http://localhost:3001/mcp}. */
    public String resource() {
        return resource;
    }

    /** The port it listens on. */
    public int port() {
        return port;
    }

    /** RFC 9728 section 3.1: {@code <origin>/.well-known/oauth-protected-resource<path of the resource>}. */
    public String resourceMetadataUrl() {
        URI uri = URI.create(resource);
        return uri.getScheme() + "://" + uri.getRawAuthority() + WELL_KNOWN + uri.getRawPath();
    }

    AccessTokenVerifier verifier() {
        return verifier;
    }

    void log(String message) {
        System.err.println("demo-mcp-server: " + message);
    }

    @Override
    public synchronized void close() {
        if (mcp != null) {
            mcp.close();
            mcp = null;
        }
        if (tomcat != null) {
            try {
                tomcat.stop();
                tomcat.destroy();
            } catch (LifecycleException e) {
                log("stopping Tomcat: " + e.getMessage());
            }
            tomcat = null;
        }
        if (baseDir != null) {
            try (var files = Files.walk(baseDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            baseDir = null;
        }
    }
}
