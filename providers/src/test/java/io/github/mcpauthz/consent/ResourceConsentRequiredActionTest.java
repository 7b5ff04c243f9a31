package io.github.mcpauthz.consent;

import io.github.mcpauthz.core.ServerGrantScopes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.keycloak.models.ClientScopeModel;

class ResourceConsentRequiredActionTest {

    /** A client scope with an id and attributes; every other method is unused here. */
    private static ClientScopeModel scope(String id, Map<String, String> attributes) {
        return (ClientScopeModel) Proxy.newProxyInstance(ClientScopeModel.class.getClassLoader(),
                new Class<?>[] {ClientScopeModel.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getId" -> id;
                    case "getAttribute" -> attributes.get((String) args[0]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static final ClientScopeModel GRANT_A = scope("grant-a", Map.of(ServerGrantScopes.SERVER_ATTRIBUTE, "a"));
    private static final ClientScopeModel GRANT_B = scope("grant-b", Map.of(ServerGrantScopes.SERVER_ATTRIBUTE, "b"));
    private static final ClientScopeModel TOOLS = scope("tools", Map.of());
    private static final Map<String, ClientScopeModel> REALM = Map.of("grant-a", GRANT_A, "grant-b", GRANT_B,
            "tools", TOOLS);

    private static Set<String> ids(String... ids) {
        return new LinkedHashSet<>(List.of(ids));
    }

    @Test
    void addsTheRequestsOwnGrant() {
        assertEquals(ids("tools", "grant-a"), ResourceConsentRequiredAction.withOnlyGrant(ids("tools"), GRANT_A, REALM::get));
    }

    @Test
    void dropsAnotherServersGrant() {
        assertEquals(ids("tools", "grant-a"),
                ResourceConsentRequiredAction.withOnlyGrant(ids("grant-b", "tools"), GRANT_A, REALM::get));
        assertEquals(ids("tools", "grant-a"),
                ResourceConsentRequiredAction.withOnlyGrant(ids("tools", "grant-a", "grant-b"), GRANT_A, REALM::get));
    }

    @Test
    void withoutAServerNoGrantIsAskedFor() {
        assertEquals(ids("tools"), ResourceConsentRequiredAction.withOnlyGrant(ids("grant-a", "tools", "grant-b"), null,
                REALM::get));
    }

    @Test
    void keepsScopesItCannotResolve() {
        // The client itself, or a scope removed meanwhile: not a grant scope, Keycloak decides about it.
        assertEquals(ids("client-id", "grant-a"),
                ResourceConsentRequiredAction.withOnlyGrant(ids("client-id"), GRANT_A, id -> null));
        assertEquals(ids("grant-a"), ResourceConsentRequiredAction.withOnlyGrant(null, GRANT_A, REALM::get));
    }
}
