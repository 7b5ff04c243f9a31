package io.github.mcpauthz.cimd;

import io.github.mcpauthz.core.client.RegistrationSettings;

import static io.github.mcpauthz.cimd.ClientIdMetadataDocumentConfiguration.*;

import java.util.List;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProviderFactory;

/** Admin-console face of {@link ClientIdMetadataDocumentExecutor} (Realm settings → Client policies → Profiles → mcp). */
public class ClientIdMetadataDocumentExecutorFactory implements ClientPolicyExecutorProviderFactory {

    public static final String ID = RegistrationSettings.CIMD_EXECUTOR_ID;

    private static final List<ProviderConfigProperty> CONFIG = ProviderConfigurationBuilder.create()
            .property().name(TRUST_POLICY).label("Trust policy").type(ProviderConfigProperty.LIST_TYPE)
            .options(OPEN, ALLOW_LIST)
            .defaultValue(OPEN)
            .helpText("open: any https client_id is accepted (the user still consents and sees its host). allow-list: "
                    + "only hosts in 'Allowed domains'.")
            .add()
            .property().name(ALLOWED_DOMAINS).label("Allowed domains").type(ProviderConfigProperty.MULTIVALUED_STRING_TYPE)
            .helpText("Hosts trusted under the allow-list policy: 'vscode.dev' for that host, '*.example.com' for its subdomains.")
            .add()
            .property().name(DENIED_DOMAINS).label("Denied domains").type(ProviderConfigProperty.MULTIVALUED_STRING_TYPE)
            .helpText("Hosts never accepted, under any policy. Same patterns as allowed domains.")
            .add()
            .property().name(ALLOW_HTTP).label("Allow http client_id (development)").type(ProviderConfigProperty.BOOLEAN_TYPE)
            .defaultValue(false)
            .helpText("Accept http:// client_id URLs. For development only: the document can then be altered in transit.")
            .add()
            .property().name(ALLOWED_ADDRESS_RANGES).label("Allowed special-use address ranges (development)")
            .type(ProviderConfigProperty.MULTIVALUED_STRING_TYPE)
            .helpText("CIDR ranges such as 127.0.0.0/8 that documents may be fetched from although they are special-use "
                    + "(loopback, private, link-local, ...). Empty by default: such addresses are refused (SSRF protection).")
            .add()
            .property().name(MIN_CACHE_SECONDS).label("Minimum cache time (seconds)").type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(Integer.toString(DEFAULT_MIN_CACHE_SECONDS))
            .helpText("A document is kept at least this long, even if its response says no-store or max-age=0.")
            .add()
            .property().name(MAX_CACHE_SECONDS).label("Maximum cache time (seconds)").type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(Integer.toString(DEFAULT_MAX_CACHE_SECONDS))
            .helpText("A document is re-fetched after this long at the latest, whatever its response allows.")
            .add()
            .property().name(CONNECT_TIMEOUT_MS).label("Connect timeout (ms)").type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(Integer.toString(DEFAULT_CONNECT_TIMEOUT_MS))
            .helpText("How long to wait for the document server to accept the connection (never past the fetch deadline).")
            .add()
            .property().name(READ_TIMEOUT_MS).label("Read timeout (ms)").type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(Integer.toString(DEFAULT_READ_TIMEOUT_MS))
            .helpText("How long to wait for the next data from the document server (never past the fetch deadline).")
            .add()
            .property().name(FETCH_DEADLINE_MS).label("Fetch deadline (ms)").type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(Integer.toString(DEFAULT_FETCH_DEADLINE_MS))
            .helpText("The whole fetch (connect, TLS handshake, headers and body) ends after this long, however the "
                    + "server trickles its answer; the user then sees an error page.")
            .add()
            .property().name(MAX_DOCUMENT_BYTES).label("Maximum document size (bytes)").type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(Integer.toString(DEFAULT_MAX_DOCUMENT_BYTES))
            .helpText("Larger documents are refused (the CIMD draft recommends 5 KB).")
            .add()
            .property().name(MAX_CONCURRENT_FETCHES).label("Concurrent fetches").type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(Integer.toString(DEFAULT_MAX_CONCURRENT_FETCHES))
            .helpText("At most this many documents are fetched at the same time on this Keycloak node (all realms "
                    + "together); a request beyond that gets an error page at once instead of waiting.")
            .add()
            .property().name(MAX_CONCURRENT_FETCHES_PER_HOST).label("Concurrent fetches per host")
            .type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(Integer.toString(DEFAULT_MAX_CONCURRENT_FETCHES_PER_HOST))
            .helpText("At most this many documents are fetched from one host at the same time on this node; a request "
                    + "beyond that gets an error page at once.")
            .add()
            .property().name(FAILURE_CACHE_SECONDS).label("Failure cache time (seconds)").type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(Integer.toString(DEFAULT_FAILURE_CACHE_SECONDS))
            .helpText("A client_id URL whose document could not be fetched or was invalid is not fetched again for "
                    + "this long: requests get the same error page at once. 0 turns this off.")
            .add()
            .property().name(ClientIdMetadataDocumentConfiguration.REGISTRATIONS_PER_HOST).label("Clients per document host")
            .type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(Integer.toString(ClientIdMetadataDocumentConfiguration.DEFAULT_REGISTRATIONS_PER_HOST))
            .helpText("Most new clients that documents on one host (the client_id URL's host) may create per host "
                    + "rate window, across the cluster, so one host serving /1 ... /1000 cannot fill the realm's cap. "
                    + "Over it the user sees an HTTP 429 error page with Retry-After. The per-address limit of the "
                    + "anonymous 'MCP dynamic client limits' policy applies as well. 0 means no limit.")
            .add()
            .property().name(ClientIdMetadataDocumentConfiguration.HOST_RATE_WINDOW).label("Host rate window (seconds)")
            .type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(Integer.toString(ClientIdMetadataDocumentConfiguration.DEFAULT_HOST_RATE_WINDOW))
            .helpText("Length of the window the per-host limit counts in.")
            .add()
            .build();

    @Override
    public ClientPolicyExecutorProvider create(KeycloakSession session) {
        return new ClientIdMetadataDocumentExecutor(session);
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public String getHelpText() {
        return "MCP: client ID metadata documents. An authorization request whose client_id is an https URL makes "
                + "Keycloak fetch the client's metadata from that URL (SSRF-safe, 5 KB, no redirects), check it with the "
                + "MCP dynamic client rules and keep it as a client with consent and PKCE. Only acts in realms with MCP support.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return CONFIG;
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
