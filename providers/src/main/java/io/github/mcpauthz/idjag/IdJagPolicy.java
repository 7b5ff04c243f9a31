package io.github.mcpauthz.idjag;

import org.keycloak.OAuthErrorException;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.github.mcpauthz.core.CanonicalResource;
import io.github.mcpauthz.core.InvalidResourceException;
import io.github.mcpauthz.core.McpRejection;
import io.github.mcpauthz.core.McpServer;
import io.github.mcpauthz.core.McpServerIndex;
import org.keycloak.representations.JsonWebToken;

/**
 * The checks of an Identity Assertion JWT Authorization Grant (ID-JAG) that need no key and no session: the MCP
 * enterprise-managed authorization extension (section 5.1) on top of RFC 7521 / RFC 7523. Pure; the signature,
 * expiry and {@code jti} replay are checked with the trusted identity provider's keys afterwards.
 */
final class IdJagPolicy {

    /** JWT {@code typ} header of an ID-JAG. */
    static final String TYP = "oauth-id-jag+jwt";


    private IdJagPolicy() {
    }

    /** Whether a jwt-bearer assertion is handled as an ID-JAG: its {@code typ} says so, or it names a {@code resource}. */
    static boolean isIdJag(String typ, JsonWebToken jwt) {
        return TYP.equalsIgnoreCase(typ) || (jwt != null && jwt.getOtherClaims().containsKey("resource"));
    }

    /** {@code typ}, {@code client_id}, {@code aud}, {@code iat}, {@code exp} and {@code jti} present and as required. */
    static void checkClaims(String typ, JsonWebToken jwt, String clientId, String issuer) throws McpRejection {
        if (!TYP.equalsIgnoreCase(typ)) {
            throw new McpRejection(OAuthErrorException.INVALID_GRANT, "The assertion's typ header must be " + TYP + ", not "
                    + (typ == null ? "absent" : printable(typ)));
        }
        Object assertedClient = jwt.getOtherClaims().get("client_id");
        if (!(assertedClient instanceof String s) || !s.equals(clientId)) {
            throw new McpRejection(OAuthErrorException.INVALID_GRANT, "The ID-JAG's client_id "
                    + (assertedClient == null ? "is missing" : "'" + printable(String.valueOf(assertedClient)) + "'")
                    + "; it must be the authenticated client " + clientId);
        }
        String[] aud = jwt.getAudience();
        if (aud == null || aud.length != 1 || !issuer.equals(aud[0])) {
            throw new McpRejection(OAuthErrorException.INVALID_GRANT, "The ID-JAG's aud must be exactly this authorization "
                    + "server's issuer " + issuer);
        }
        if (jwt.getIssuer() == null || jwt.getSubject() == null) {
            throw new McpRejection(OAuthErrorException.INVALID_GRANT, "The ID-JAG must have iss and sub claims");
        }
        if (jwt.getIat() == null || jwt.getExp() == null || jwt.getId() == null) {
            throw new McpRejection(OAuthErrorException.INVALID_GRANT, "The ID-JAG must have iat, exp and jti claims");
        }
    }

    /**
     * The registered MCP server the ID-JAG's {@code resource} names; a {@code resource} parameter of the request, if
     * any, must name the same server.
     */
    static McpServer server(McpServerIndex index, JsonWebToken jwt, List<String> requestedResources) throws McpRejection {
        Object resource = jwt.getOtherClaims().get("resource");
        if (!(resource instanceof String value)) {
            throw new McpRejection(OAuthErrorException.INVALID_TARGET, "The ID-JAG must name the MCP server in a resource claim (a string)");
        }
        McpServer server = find(index, value);
        if (server == null) {
            throw new McpRejection(OAuthErrorException.INVALID_TARGET, "Unknown resource: " + printable(value)
                    + " is not an MCP server registered in this realm");
        }
        if (requestedResources != null) {
            if (requestedResources.size() > 1) {
                throw new McpRejection(OAuthErrorException.INVALID_TARGET, "Invalid resource: the resource parameter must be sent at most once");
            }
            for (String requested : requestedResources) {
                McpServer other = find(index, requested);
                if (other == null || !other.equals(server)) {
                    throw new McpRejection(OAuthErrorException.INVALID_TARGET, "resource " + printable(requested)
                            + " does not match the ID-JAG's resource " + server.audience());
                }
            }
        }
        return server;
    }

    /**
     * The scope of the token: the requested scopes, each of which the ID-JAG must assert; without a request, the
     * asserted ones the client may have ({@code available}).
     */
    static String scope(JsonWebToken jwt, String requested, Set<String> available) throws McpRejection {
        Object claim = jwt.getOtherClaims().get("scope");
        Set<String> asserted = split(claim instanceof String s ? s : null);
        if (requested == null) {
            return String.join(" ", asserted.stream().filter(s -> s.equals("openid") || available.contains(s)).toList());
        }
        Set<String> extra = split(requested);
        extra.removeAll(asserted);
        if (!extra.isEmpty()) {
            throw new McpRejection(OAuthErrorException.INVALID_SCOPE, "Scope " + printable(String.join(" ", extra))
                    + " is not in the ID-JAG's scope (" + String.join(" ", asserted) + ")");
        }
        return String.join(" ", split(requested));
    }

    static Set<String> split(String scope) {
        Set<String> out = new LinkedHashSet<>();
        if (scope != null) {
            for (String s : scope.trim().split(" +")) {
                if (!s.isEmpty()) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    private static McpServer find(McpServerIndex index, String value) {
        try {
            return index.find(CanonicalResource.parse(value)).orElse(null);
        } catch (InvalidResourceException e) {
            return null;
        }
    }

    static String printable(String value) {
        String clean = value.replaceAll("[\\p{Cc}\\p{Cf}]", "?");
        return clean.length() > 200 ? clean.substring(0, 200) + "…" : clean;
    }
}
