package io.github.mcpauthz.registration;

import static io.github.mcpauthz.core.client.RegistrationSettings.*;

import io.github.mcpauthz.core.client.RegistrationSettings;

import io.github.mcpauthz.core.client.DynamicClientCleanup;
import java.util.List;

import org.keycloak.Config;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.clientregistration.policy.AbstractClientRegistrationPolicyFactory;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy;

/**
 * Admin-console face of {@link DynamicClientLimitsPolicy}; also schedules {@link DynamicClientCleanup}.
 *
 * <p>Every node runs a timer, but each run first claims the current interval in Keycloak's cluster-wide
 * single-use-object store, so the cleanup runs once per interval per cluster. The interval is a server option:
 * {@code --spi-client-registration-policy--mcp-dynamic-client-limits--cleanup-interval=<seconds>} (default 3600).
 */
public class DynamicClientLimitsPolicyFactory extends AbstractClientRegistrationPolicyFactory {

    public static final String ID = RegistrationSettings.LIMITS_POLICY_ID;




    private static final List<ProviderConfigProperty> CONFIG = ProviderConfigurationBuilder.create()
            .property().name(MAX_DYNAMIC_CLIENTS).label("Maximum dynamic clients").type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(Integer.toString(DEFAULT_MAX_DYNAMIC_CLIENTS))
            .helpText("Most dynamically registered MCP clients the realm keeps (DCR and client ID metadata documents "
                    + "together). Admin-made clients do not count. At the limit new registrations get 403 "
                    + "access_denied; existing clients keep working. 0 means no limit.")
            .add()
            .property().name(REGISTRATIONS_PER_ADDRESS).label("Registrations per address").type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(Integer.toString(DEFAULT_REGISTRATIONS_PER_ADDRESS))
            .helpText("Most registrations accepted from one source address per rate window, across the cluster. Over "
                    + "it the endpoint answers 429 with Retry-After. Hosted MCP clients register from shared addresses, "
                    + "so keep this generous. 0 means no limit.")
            .add()
            .property().name(RATE_WINDOW).label("Rate window (seconds)").type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(Long.toString(DEFAULT_RATE_WINDOW))
            .helpText("Length of the window the per-address limit counts in.")
            .add()
            .property().name(IDLE_LIFETIME).label("Idle lifetime (seconds)").type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(Long.toString(DEFAULT_IDLE_LIFETIME))
            .helpText("A dynamic client unused for this long (no token issued to it) is deleted with its consents and "
                    + "sessions. Default 2592000 (30 days). Using the client renews it. 0 keeps dynamic clients forever. "
                    + "If several policies set it, the shortest applies.")
            .add()
            .build();

    private long cleanupIntervalSeconds = 3600;

    @Override
    public ClientRegistrationPolicy create(KeycloakSession session, ComponentModel model) {
        return new DynamicClientLimitsPolicy(session, model);
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getHelpText() {
        return "MCP dynamic client limits: a realm-wide cap on dynamically registered clients (admin-made clients do "
                + "not count), a per-address registration rate, and deletion of dynamic clients left unused.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return CONFIG;
    }

    @Override
    public void validateConfiguration(KeycloakSession session, RealmModel realm, ComponentModel config)
            throws ComponentValidationException {
        for (String key : List.of(MAX_DYNAMIC_CLIENTS, REGISTRATIONS_PER_ADDRESS, RATE_WINDOW, IDLE_LIFETIME)) {
            String value = config.get(key);
            if (value == null) {
                continue;
            }
            try {
                if (Long.parseLong(value.strip()) < 0) {
                    throw new ComponentValidationException(key + " must not be negative");
                }
            } catch (NumberFormatException e) {
                throw new ComponentValidationException(key + " must be a whole number");
            }
        }
        String window = config.get(RATE_WINDOW);
        if (window != null && Long.parseLong(window.strip()) == 0) {
            throw new ComponentValidationException(RATE_WINDOW + " must be at least 1");
        }
    }

    @Override
    public void init(Config.Scope config) {
        cleanupIntervalSeconds = Math.max(10, config.getLong("cleanup-interval", 3600L));
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        super.postInit(factory);
        // This factory owns the interval setting (its SPI config); the schedule is the dynamic-client model's.
        DynamicClientCleanup.schedule(factory, cleanupIntervalSeconds);
    }
}
