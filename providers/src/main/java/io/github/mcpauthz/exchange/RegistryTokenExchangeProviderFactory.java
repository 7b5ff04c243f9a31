package io.github.mcpauthz.exchange;

import io.github.mcpauthz.core.KeycloakCompat;

import org.keycloak.Config;
import org.keycloak.common.Profile;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.protocol.oidc.TokenExchangeProvider;
import org.keycloak.protocol.oidc.TokenExchangeProviderFactory;
import org.keycloak.provider.EnvironmentDependentProviderFactory;

/**
 * Token exchange for tokens issued for an MCP server ({@link RegistryTokenExchangeProvider}). Ordered before
 * Keycloak's standard provider (order 10), which answers every exchange this one does not support. Available when
 * Keycloak's standard token exchange is (feature {@code token-exchange-standard}, on by default).
 */
public class RegistryTokenExchangeProviderFactory implements TokenExchangeProviderFactory, EnvironmentDependentProviderFactory {

    public static final String ID = "mcp-registry";

    @Override
    public TokenExchangeProvider create(KeycloakSession session) {
        return new RegistryTokenExchangeProvider();
    }

    @Override
    public boolean isSupported(Config.Scope config) {
        // Only where the extension is active (KeycloakCompat): elsewhere Keycloak's own exchange is left alone.
        // 26.4 lacks the exchange context's restricted scopes (KeycloakCompat logs it): the provider stays unloaded there
        // and Keycloak's own standard exchange refuses MCP server tokens (the requester is not in their aud).
        return KeycloakCompat.has(KeycloakCompat.Capability.TOKEN_EXCHANGE_RESTRICTED_SCOPES)
                && Profile.isFeatureEnabled(Profile.Feature.TOKEN_EXCHANGE_STANDARD_V2);
    }

    @Override
    public int order() {
        return 20;
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }
}
