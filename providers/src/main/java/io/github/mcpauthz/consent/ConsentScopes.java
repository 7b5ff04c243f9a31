package io.github.mcpauthz.consent;

import io.github.mcpauthz.core.KeycloakCompat;
import io.github.mcpauthz.core.KeycloakCompat.Capability;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.UserConsentModel;
import org.keycloak.rar.AuthorizationDetails;

/**
 * The consent page's reads of a requested scope, on every supported Keycloak: the scope parameter of a dynamic scope
 * and whether a stored consent grants it. Keycloak 26.6 added consent per scope parameter
 * ({@link Capability#PARAMETERIZED_CONSENT}); older releases have {@code getDynamicScopeParam()} and consent per scope
 * only. The 26.6 calls live in {@link Parameterized}, loaded only where they exist.
 */
final class ConsentScopes {

    private ConsentScopes() {
    }

    /** The parameter of a dynamic scope ({@code scope:param}), or null. */
    static String parameter(AuthorizationDetails details) {
        if (KeycloakCompat.has(Capability.PARAMETERIZED_CONSENT)) {
            return Parameterized.parameter(details);
        }
        // 26.4/26.5: getDynamicScopeParam() dereferences the request's authorization details without a null check.
        return details.isDynamicScope() && details.getAuthorizationDetails() != null ? details.getDynamicScopeParam() : null;
    }

    /** Whether {@code consent} grants {@code scope} (with {@code parameter}, where Keycloak stores consent per parameter). */
    static boolean granted(UserConsentModel consent, ClientScopeModel scope, String parameter) {
        if (consent == null) {
            return false;
        }
        if (parameter == null || !KeycloakCompat.has(Capability.PARAMETERIZED_CONSENT)) {
            return consent.isClientScopeGranted(scope);
        }
        return Parameterized.granted(consent, scope, parameter);
    }

    /** Keycloak 26.6+ only: never loaded without {@link Capability#PARAMETERIZED_CONSENT}. */
    private static final class Parameterized {
        static String parameter(AuthorizationDetails details) {
            return details.getParameterizedScopeParam();
        }

        static boolean granted(UserConsentModel consent, ClientScopeModel scope, String parameter) {
            return consent.isClientScopeGranted(scope, parameter);
        }
    }
}
