package io.github.mcpauthz.core.client;

import java.util.ArrayList;
import java.util.List;

import io.github.mcpauthz.core.McpRealm;
import org.jboss.logging.Logger;
import org.keycloak.common.util.Time;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.timer.TimerProvider;
import org.keycloak.models.RealmModel;
import org.keycloak.services.managers.ClientManager;
import org.keycloak.services.managers.RealmManager;

/**
 * Deletes dynamic MCP clients that were not used for the realm's idle lifetime, with their consents and sessions
 * (Keycloak's client removal does both). Admin-made clients never carry the dynamic marker and are never touched.
 */
public final class DynamicClientCleanup {

    private static final Logger LOG = Logger.getLogger(DynamicClientCleanup.class);

    /** Event detail naming why a client was deleted. */
    public static final String REASON_IDLE = "mcp_dynamic_client_idle";

    private DynamicClientCleanup() {
    }

    /** Cleans every MCP realm. */
    public static int cleanAllRealms(KeycloakSession session) {
        int deleted = 0;
        for (RealmModel realm : session.realms().getRealmsStream().filter(McpRealm::isEnabled).toList()) {
            deleted += clean(session, realm).size();
        }
        return deleted;
    }

    /** Deletes the realm's idle dynamic clients; returns their client ids. */
    public static List<String> clean(KeycloakSession session, RealmModel realm) {
        long idle = DynamicClients.idleLifetimeSeconds(realm);
        List<String> deleted = new ArrayList<>();
        if (idle <= 0) {
            return deleted;
        }
        long cutoff = Time.currentTime() - idle;
        RealmModel previous = session.getContext().getRealm();
        session.getContext().setRealm(realm);
        try {
            List<ClientModel> stale = DynamicClients.stream(session, realm, null)
                    .filter(c -> lastUsed(c) < cutoff)
                    .toList();
            ClientManager clientManager = new ClientManager(new RealmManager(session));
            for (ClientModel client : stale) {
                String clientId = client.getClientId();
                long last = lastUsed(client);
                if (clientManager.removeClient(realm, client)) {
                    deleted.add(clientId);
                    new EventBuilder(realm, session).event(EventType.CLIENT_DELETE).client(clientId)
                            .detail(Details.REASON, REASON_IDLE)
                            .detail("idle_seconds", Long.toString(Time.currentTime() - last))
                            .success();
                    LOG.infof("Deleted dynamic MCP client %s of realm %s: unused for %d seconds (idle lifetime %d)",
                            clientId, realm.getName(), Time.currentTime() - last, idle);
                }
            }
        } finally {
            session.getContext().setRealm(previous);
        }
        return deleted;
    }

    private static long lastUsed(ClientModel client) {
        long last = DynamicClients.parseLong(client.getAttribute(DynamicClients.LAST_USED), -1);
        return last >= 0 ? last : DynamicClients.parseLong(client.getAttribute(DynamicClients.REGISTERED_AT), 0);
    }

    /**
     * Runs the idle cleanup of every MCP realm every {@code intervalSeconds}, once per interval for the whole cluster:
     * each node's timer fires, and the first to claim the interval in Keycloak's replicated single-use store runs it.
     */
    public static void schedule(KeycloakSessionFactory factory, long intervalSeconds) {
        KeycloakModelUtils.runJobInTransaction(factory, session -> {
            TimerProvider timer = session.getProvider(TimerProvider.class);
            if (timer == null) {
                LOG.warn("No timer provider: idle dynamic MCP clients will only be removed on demand");
                return;
            }
            timer.schedule(() -> runOncePerCluster(factory, intervalSeconds), intervalSeconds * 1000,
                    "mcp-dynamic-client-cleanup");
        });
    }

    private static void runOncePerCluster(KeycloakSessionFactory factory, long interval) {
        try {
            KeycloakModelUtils.runJobInTransaction(factory, session -> {
                long number = Time.currentTime() / interval;
                String slot = "mcp-dynamic-client-cleanup:" + number;
                if (!session.singleUseObjects().putIfAbsent(slot, interval)) {
                    LOG.debugf("Dynamic MCP client cleanup slot %d: taken by another node", number);
                    return; // Another node took this interval.
                }
                int deleted = cleanAllRealms(session);
                LOG.debugf("Dynamic MCP client cleanup slot %d: ran on this node, deleted %d clients", number, deleted);
            });
        } catch (RuntimeException e) {
            LOG.warn("Dynamic MCP client cleanup failed; it runs again next interval", e);
        }
    }
}
