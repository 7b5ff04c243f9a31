package io.github.mcpauthz.demo;

import com.nimbusds.jose.util.JSONObjectUtils;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RFC 9728 protected resource metadata, served at {@code /.well-known/oauth-protected-resource/mcp} (the path form
 * MCP clients build from the resource) and at {@code /.well-known/oauth-protected-resource} (the root form).
 * Readable from any origin, so browser-based clients (MCP Inspector) can fetch it.
 */
final class ProtectedResourceMetadataServlet extends HttpServlet {

    private final DemoMcpServer server;

    ProtectedResourceMetadataServlet(DemoMcpServer server) {
        this.server = server;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("resource", server.resource());
        metadata.put("authorization_servers", List.of(server.config().issuer()));
        metadata.put("scopes_supported", Scopes.SUPPORTED);
        metadata.put("bearer_methods_supported", List.of("header"));
        metadata.put("resource_name", DemoMcpServer.NAME);
        byte[] body = JSONObjectUtils.toJSONString(metadata).getBytes(StandardCharsets.UTF_8);
        Cors.allow(response);
        response.setStatus(200);
        response.setContentType("application/json");
        response.setHeader("Cache-Control", "max-age=60");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    @Override
    protected void doOptions(HttpServletRequest request, HttpServletResponse response) {
        Cors.preflight(response);
    }
}
