package io.github.mcpauthz.demo;

import jakarta.servlet.http.HttpServletResponse;

/**
 * CORS for browser-based MCP clients (MCP Inspector in direct mode): any origin may call, without cookies (the server
 * uses none; the bearer token is the only credential), and may read the challenge and MCP headers.
 */
final class Cors {

    private Cors() {
    }

    static void allow(HttpServletResponse response) {
        response.setHeader("Access-Control-Allow-Origin", "*");
        response.setHeader("Access-Control-Expose-Headers", "WWW-Authenticate, Mcp-Session-Id, Mcp-Protocol-Version");
    }

    static void preflight(HttpServletResponse response) {
        allow(response);
        response.setHeader("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
        response.setHeader("Access-Control-Allow-Headers",
                "Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Last-Event-ID");
        response.setHeader("Access-Control-Max-Age", "600");
        response.setStatus(HttpServletResponse.SC_NO_CONTENT);
    }
}
