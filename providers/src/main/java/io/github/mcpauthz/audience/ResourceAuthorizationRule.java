package io.github.mcpauthz.audience;

import io.github.mcpauthz.core.McpChecks;
import io.github.mcpauthz.core.McpRejection;
import io.github.mcpauthz.core.McpServerRegistry;
import io.github.mcpauthz.core.ResourceBinding;
import io.github.mcpauthz.core.ResourceBinding.InvalidTargetException;

/** The {@code resource} rule of an authorization request, on every supported Keycloak (see {@link ResourceAuthorizationCheck}). */
public final class ResourceAuthorizationRule {

    private ResourceAuthorizationRule() {
    }

    public static void rule(McpChecks.AuthorizationRequest request) throws McpRejection {
        try {
            ResourceBinding.forAuthorization(McpServerRegistry.index(request.realm()), request.resource());
        } catch (InvalidTargetException e) {
            throw new McpRejection(ResourceBinding.INVALID_TARGET, e.getMessage());
        }
    }
}
