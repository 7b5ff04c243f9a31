package io.github.mcpauthz.demo;

import com.nimbusds.jwt.JWTClaimsSet;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The user's roles as the realm puts them in this server's tokens: the claim {@value #CLAIM}, a JSON array of role
 * names (the registry's {@code token-roles} setting of this server; see docs/tokens.md).
 */
public final class Roles {

    /** Access-token claim with the roles the realm lets this server see. */
    public static final String CLAIM = "roles";
    /** The role the admin tool needs. */
    public static final String ADMIN = "mcp-admin";

    private Roles() {
    }

    /** The role names of the token; empty when the claim is missing or not an array of strings. */
    public static Set<String> of(JWTClaimsSet claims) {
        Object value = claims.getClaim(CLAIM);
        Set<String> roles = new LinkedHashSet<>();
        if (value instanceof List<?> list) {
            for (Object role : list) {
                if (role instanceof String name) {
                    roles.add(name);
                }
            }
        }
        return roles;
    }
}
