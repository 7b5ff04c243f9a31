package io.github.mcpauthz.demo;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.github.mcpauthz.demo.AccessTokenVerifier.InvalidTokenException;
import io.github.mcpauthz.demo.AccessTokenVerifier.UnavailableException;
import io.github.mcpauthz.demo.AccessTokenVerifier.VerifiedToken;
import io.modelcontextprotocol.json.McpJsonMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Guards {@code /mcp}: every request needs a valid bearer token for this resource (else 401 with
 * {@code resource_metadata}); a {@code tools/call} needs the tool's scope (else 403 {@code insufficient_scope} with
 * the scopes to ask for). The verified token goes to the MCP handlers as request attribute {@link #TOKEN}.
 */
final class BearerTokenFilter extends HttpFilter {

    static final String TOKEN = BearerTokenFilter.class.getName() + ".token";
    /** Requests larger than this are refused before parsing (413). */
    static final int MAX_BODY_BYTES = 1024 * 1024;

    private final DemoMcpServer server;
    private final McpJsonMapper json;

    BearerTokenFilter(DemoMcpServer server, McpJsonMapper json) {
        this.server = server;
        this.json = json;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if ("OPTIONS".equals(request.getMethod())) {
            Cors.preflight(response);
            return;
        }
        Cors.allow(response);
        String metadata = server.resourceMetadataUrl();

        String authorization = request.getHeader("Authorization");
        if (authorization == null) {
            reply(response, 401, Challenges.missingToken(metadata), "invalid_token", "no bearer token");
            return;
        }
        if (authorization.length() < 8 || !authorization.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            reply(response, 401, Challenges.invalidToken(metadata, "the Authorization header is not Bearer"),
                    "invalid_token", "the Authorization header is not Bearer");
            return;
        }
        VerifiedToken token;
        try {
            token = server.verifier().verify(authorization.substring(7).trim());
        } catch (InvalidTokenException e) {
            reply(response, 401, Challenges.invalidToken(metadata, e.getMessage()), "invalid_token", e.getMessage());
            return;
        } catch (UnavailableException e) {
            server.log("token check failed: " + e.getMessage());
            reply(response, 503, null, "temporarily_unavailable", "the authorization server cannot be reached");
            return;
        }

        HttpServletRequest forward = request;
        if ("POST".equals(request.getMethod())) {
            byte[] body = request.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                reply(response, 413, null, "invalid_request", "request body over " + MAX_BODY_BYTES + " bytes");
                return;
            }
            for (String tool : calledTools(body)) {
                String needed = DemoTools.requiredScope(tool);
                if (needed != null && !token.scopes().contains(needed)) {
                    String description = "tool " + tool + " needs scope " + needed;
                    reply(response, 403, Challenges.insufficientScope(metadata, Scopes.union(token.scopes(), needed),
                            description), "insufficient_scope", description);
                    return;
                }
            }
            forward = new CachedBody(request, body);
        }
        forward.setAttribute(TOKEN, token);
        chain.doFilter(forward, response);
    }

    /** Names of the tools a JSON-RPC message (or batch) calls; none when it is not valid JSON-RPC. */
    private List<String> calledTools(byte[] body) {
        Object parsed;
        try {
            parsed = json.readValue(body, Object.class);
        } catch (IOException | RuntimeException e) {
            return List.of(); // the MCP transport answers the parse error
        }
        List<String> tools = new ArrayList<>();
        for (Object message : parsed instanceof List<?> batch ? batch : List.of(parsed)) {
            if (message instanceof Map<?, ?> map && "tools/call".equals(map.get("method"))
                    && map.get("params") instanceof Map<?, ?> params && params.get("name") instanceof String name) {
                tools.add(name);
            }
        }
        return tools;
    }

    private static void reply(HttpServletResponse response, int status, String challenge, String error,
                              String description) throws IOException {
        response.setStatus(status);
        if (challenge != null) {
            response.setHeader("WWW-Authenticate", challenge);
        }
        response.setHeader("Cache-Control", "no-store");
        response.setContentType("application/json");
        byte[] body = JSONObjectUtils.toJSONString(Map.of("error", error, "error_description", description))
                .getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** The request with its body already read, readable once more by the MCP transport. */
    private static final class CachedBody extends HttpServletRequestWrapper {
        private final byte[] body;

        CachedBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            InputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    try {
                        return in.available() == 0;
                    } catch (IOException e) {
                        return true;
                    }
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("blocking reads only");
                }

                @Override
                public int read() throws IOException {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
