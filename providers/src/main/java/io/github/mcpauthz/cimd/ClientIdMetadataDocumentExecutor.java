package io.github.mcpauthz.cimd;

import org.keycloak.OAuthErrorException;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

import javax.net.ssl.SSLSocketFactory;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.mcpauthz.core.McpRealm;
import io.github.mcpauthz.core.client.ClientMetadataException;
import io.github.mcpauthz.core.client.DynamicClientLimits;
import io.github.mcpauthz.core.client.DynamicClients;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.OAuth2Constants;
import org.keycloak.common.util.Time;
import org.keycloak.events.Details;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.oidc.utils.RedirectUtils;
import org.keycloak.services.ErrorPage;
import org.keycloak.services.clientpolicy.ClientPolicyContext;
import org.keycloak.services.clientpolicy.ClientPolicyException;
import org.keycloak.services.clientpolicy.context.PreAuthorizationRequestContext;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;
import org.keycloak.services.managers.ClientManager;
import org.keycloak.services.managers.RealmManager;
import org.keycloak.truststore.TruststoreProvider;
import org.keycloak.util.JsonSerialization;

/**
 * Client ID metadata documents (CIMD) for MCP realms, on a stock Keycloak: when an authorization request's
 * {@code client_id} is an https URL, fetches its metadata document (SSRF-safe, see {@link MetadataDocumentFetcher}),
 * validates it with the same rules as a dynamic registration, and keeps a client whose clientId is the URL, with
 * consent, PKCE S256, provenance ({@code mcp.registration.method=cimd}), the realm's cap and idle cleanup. The
 * document is re-fetched when its cache lifetime (HTTP cache headers, within the configured bounds) is over; a
 * changed {@code redirect_uris} or key set replaces the client, which drops earlier consents. Failures are shown
 * to the user agent as an error page (no redirect to an unverified redirect URI) and logged as events.
 */
public class ClientIdMetadataDocumentExecutor implements ClientPolicyExecutorProvider<ClientIdMetadataDocumentConfiguration> {

    private static final Logger LOG = Logger.getLogger(ClientIdMetadataDocumentExecutor.class);
    private static final ObjectMapper MAPPER = JsonSerialization.mapper.copy()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final KeycloakSession session;
    private ClientIdMetadataDocumentConfiguration config = new ClientIdMetadataDocumentConfiguration();

    public ClientIdMetadataDocumentExecutor(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void setupConfiguration(ClientIdMetadataDocumentConfiguration config) {
        this.config = config == null ? new ClientIdMetadataDocumentConfiguration() : config;
    }

    @Override
    public Class<ClientIdMetadataDocumentConfiguration> getExecutorConfigurationClass() {
        return ClientIdMetadataDocumentConfiguration.class;
    }

    @Override
    public String getProviderId() {
        return ClientIdMetadataDocumentExecutorFactory.ID;
    }

    @Override
    public void executeOnEvent(ClientPolicyContext context) throws ClientPolicyException {
        if (!(context instanceof PreAuthorizationRequestContext pre)) {
            return;
        }
        RealmModel realm = session.getContext().getRealm();
        String clientId = pre.getClientId();
        if (!McpRealm.isEnabled(realm) || !ClientIdUrl.looksLikeUrl(clientId)) {
            return;
        }
        ClientModel existing = realm.getClientByClientId(clientId);
        if (existing != null && !DynamicClients.isDynamic(existing)) {
            return; // An admin-made client whose id happens to be a URL.
        }
        try {
            resolve(realm, clientId, existing, pre.getRequestParameters());
        } catch (ClientMetadataException e) {
            throw reject(realm, clientId, e.error().equals(ClientMetadataException.INVALID_REDIRECT_URI) ? OAuthErrorException.INVALID_REQUEST : OAuthErrorException.INVALID_CLIENT,
                    e.description());
        } catch (WebApplicationException e) {
            throw e; // A deliberate error page (429/503 with Retry-After from the creation limits).
        } catch (RuntimeException e) {
            // Nothing unexpected may reach Keycloak's error handler (an HTTP 500): the user gets the error page.
            LOG.errorf(e, "Unexpected failure while handling the client ID metadata document %s", abbreviate(clientId));
            ClientMetadataException refusal = ClientMetadataException.metadata("the client ID metadata document could not be processed");
            remember(realm, clientId, refusal, failureCacheSeconds()); // not fetched (and logged) again at once
            throw reject(realm, clientId, OAuthErrorException.INVALID_CLIENT, refusal.description());
        }
    }

    private void resolve(RealmModel realm, String clientId, ClientModel existing, MultivaluedMap<String, String> params)
            throws ClientMetadataException, ClientPolicyException {
        ClientIdUrl url;
        try {
            url = ClientIdUrl.parse(clientId, Boolean.TRUE.equals(config.allowHttp));
        } catch (ClientIdUrl.InvalidClientIdException e) {
            throw ClientMetadataException.metadata("Invalid client_id: " + e.getMessage());
        }
        if (DomainPatterns.matches(url.host(), config.deniedDomains)) {
            throw ClientMetadataException.metadata("clients from " + url.host() + " are not allowed in this realm");
        }
        if (ClientIdMetadataDocumentConfiguration.ALLOW_LIST.equals(config.trustPolicy)
                && !DomainPatterns.matches(url.host(), config.allowedDomains)) {
            throw ClientMetadataException.metadata(url.host() + " is not on this realm's list of trusted client domains");
        }
        long now = Time.currentTime();
        if (existing != null && now < parseLong(existing.getAttribute(CimdClients.EXPIRES))) {
            return; // Cached: Keycloak checks the redirect URI against the stored document's ones.
        }
        if (existing == null) {
            checkCreationRate(realm, clientId, url.host()); // Before fetching: a flood costs no fetches.
        }

        MetadataDocumentFetcher.Fetched fetched;
        ClientMetadataDocument.Checked checked;
        int failureCacheSeconds = failureCacheSeconds();
        Optional<FailureCache.Failure> failed = FailureCache.SHARED.get(realm.getId(), clientId);
        if (failed.isPresent()) {
            throw new ClientMetadataException(failed.get().error(), failed.get().description());
        }
        try (FetchLimiter.Permit permit = FetchLimiter.SHARED.tryAcquire(url.host(),
                ClientIdMetadataDocumentConfiguration.atLeast(config.maxConcurrentFetches, 1,
                        ClientIdMetadataDocumentConfiguration.DEFAULT_MAX_CONCURRENT_FETCHES),
                ClientIdMetadataDocumentConfiguration.atLeast(config.maxConcurrentFetchesPerHost, 1,
                        ClientIdMetadataDocumentConfiguration.DEFAULT_MAX_CONCURRENT_FETCHES_PER_HOST))) {
            if (permit == null) {
                throw ClientMetadataException.metadata("too many client ID metadata documents are being fetched at the "
                        + "moment (from " + url.host() + " or overall); try again shortly");
            }
            try {
                fetched = fetcher().fetch(url);
            } catch (MetadataDocumentFetcher.FetchException e) {
                ClientMetadataException refusal = ClientMetadataException.metadata(
                        "Could not load the client ID metadata document: " + e.getMessage());
                if (e.remember()) {
                    remember(realm, clientId, refusal, failureCacheSeconds);
                }
                throw refusal;
            }
            try {
                checked = ClientMetadataDocument.check(fetched.body(), clientId, DynamicClients.anonymousRules(realm), MAPPER);
            } catch (ClientMetadataException e) {
                remember(realm, clientId, e, failureCacheSeconds);
                throw e;
            }
        }

        String redirect = params.getFirst(OAuth2Constants.REDIRECT_URI);
        if (redirect == null || RedirectUtils.verifyRedirectUri(session, null, redirect,
                new HashSet<>(checked.validated().redirectUris()), true) == null) {
            throw ClientMetadataException.redirect("the redirect_uri is not one of the client ID metadata document's redirect_uris");
        }

        String fingerprint = CimdClients.fingerprint(checked.metadata());
        if (existing != null && !fingerprint.equals(existing.getAttribute(CimdClients.FINGERPRINT))) {
            // New redirect URIs or keys: earlier consents were given to another client in effect.
            new ClientManager(new RealmManager(session)).removeClient(realm, existing);
            LOG.infof("Client ID metadata document %s changed its redirect URIs or keys; consents and sessions dropped", clientId);
            existing = null;
        }
        ClientModel client = existing;
        if (client == null) {
            int max = DynamicClients.maxDynamicClients(realm);
            try {
                // A quick refusal when the realm is full already; create checks the cap again under its lock.
                if (!DynamicClientLimits.hasRoom(session, realm, max)) {
                    throw ClientMetadataException.metadata(DynamicClientLimits.capReached(max));
                }
                client = new CimdClients(session, MAPPER).create(realm, clientId, checked, now, max);
            } catch (DynamicClientLimits.CapUnavailable e) {
                throw tooMany(realm, clientId, Response.Status.SERVICE_UNAVAILABLE,
                        "Too many clients are being created at the same time; try again shortly", 1);
            }
        } else {
            CimdClients.update(client, checked);
        }
        long ttl = fetched.noStore() ? 0 : (fetched.maxAgeSeconds() >= 0 ? fetched.maxAgeSeconds() : config.minCacheSeconds);
        CimdClients.keep(client, fingerprint, now + Math.max(config.minCacheSeconds, Math.min(config.maxCacheSeconds, ttl)));
    }

    /** The per-address limit of anonymous registration and the per-host limit of this executor (429 when over). */
    private void checkCreationRate(RealmModel realm, String clientId, String host) {
        String address = session.getContext().getConnection() == null ? "unknown"
                : session.getContext().getConnection().getRemoteAddr();
        DynamicClients.AddressRate rate = DynamicClients.anonymousAddressRate(realm);
        if (rate.perAddress() > 0 && !DynamicClientLimits.takeSlot(session, DynamicClientLimits.addressCounter(realm, address),
                rate.perAddress(), rate.windowSeconds())) {
            long retryAfter = DynamicClientLimits.retryAfter(rate.windowSeconds());
            throw tooMany(realm, clientId, Response.Status.TOO_MANY_REQUESTS,
                    DynamicClientLimits.tooManyFromAddress(address, rate.perAddress(), rate.windowSeconds(), retryAfter),
                    retryAfter);
        }
        int perHost = config.registrationsPerHost == null ? ClientIdMetadataDocumentConfiguration.DEFAULT_REGISTRATIONS_PER_HOST
                : config.registrationsPerHost;
        long window = Math.max(1, config.hostRateWindowSeconds == null ? ClientIdMetadataDocumentConfiguration.DEFAULT_HOST_RATE_WINDOW
                : config.hostRateWindowSeconds);
        if (perHost > 0 && !DynamicClientLimits.takeSlot(session, DynamicClientLimits.hostCounter(realm, host), perHost, window)) {
            long retryAfter = DynamicClientLimits.retryAfter(window);
            throw tooMany(realm, clientId, Response.Status.TOO_MANY_REQUESTS, "Too many new clients from " + host
                    + " (at most " + perHost + " per " + window + " seconds); try again in " + retryAfter + " seconds",
                    retryAfter);
        }
    }

    /**
     * A 429/503 error page with Retry-After. Keycloak turns a ClientPolicyException into an error page without
     * headers, so the page is built here; the event matches the registration endpoint's.
     */
    private WebApplicationException tooMany(RealmModel realm, String clientId, Response.Status status, String description,
                                            long retryAfter) {
        new EventBuilder(realm, session, session.getContext().getConnection()).event(EventType.CLIENT_REGISTER)
                .detail(Details.REASON, description).detail("client_id_url", clientId.length() > 200 ? clientId.substring(0, 200) : clientId)
                .error(OAuthErrorException.TEMPORARILY_UNAVAILABLE);
        LOG.infof("Refused client ID metadata document %s: %s", clientId, description);
        Response page = ErrorPage.error(session, null, status, description);
        return new WebApplicationException(Response.fromResponse(page).header("Retry-After", Long.toString(retryAfter))
                .header("Cache-Control", "no-store").build());
    }

    private int failureCacheSeconds() {
        return ClientIdMetadataDocumentConfiguration.atLeast(config.failureCacheSeconds, 0,
                ClientIdMetadataDocumentConfiguration.DEFAULT_FAILURE_CACHE_SECONDS);
    }

    private static void remember(RealmModel realm, String clientId, ClientMetadataException e, int seconds) {
        FailureCache.SHARED.put(realm.getId(), clientId, new FailureCache.Failure(e.error(), e.description()), seconds);
    }

    private MetadataDocumentFetcher fetcher() {
        List<SpecialUseAddresses.Range> ranges = new ArrayList<>();
        if (config.allowedAddressRanges != null) {
            for (String r : config.allowedAddressRanges) {
                for (String part : r.split("##|,")) {
                    if (!part.isBlank()) {
                        try {
                            ranges.add(SpecialUseAddresses.Range.parse(part));
                        } catch (IllegalArgumentException e) {
                            LOG.warnf("Ignoring invalid allowed address range %s: %s", part, e.getMessage());
                        }
                    }
                }
            }
        }
        SSLSocketFactory tls = null;
        TruststoreProvider truststore = session.getProvider(TruststoreProvider.class);
        if (truststore != null) {
            tls = truststore.getSSLSocketFactory();
        }
        if (tls == null) {
            tls = (SSLSocketFactory) SSLSocketFactory.getDefault();
        }
        return new MetadataDocumentFetcher(new MetadataDocumentFetcher.Settings(
                ClientIdMetadataDocumentConfiguration.atLeast(config.connectTimeoutMs, 1,
                        ClientIdMetadataDocumentConfiguration.DEFAULT_CONNECT_TIMEOUT_MS),
                ClientIdMetadataDocumentConfiguration.atLeast(config.readTimeoutMs, 1,
                        ClientIdMetadataDocumentConfiguration.DEFAULT_READ_TIMEOUT_MS),
                ClientIdMetadataDocumentConfiguration.atLeast(config.fetchDeadlineMs, 1,
                        ClientIdMetadataDocumentConfiguration.DEFAULT_FETCH_DEADLINE_MS),
                ClientIdMetadataDocumentConfiguration.atLeast(config.maxDocumentBytes, 1,
                        ClientIdMetadataDocumentConfiguration.DEFAULT_MAX_DOCUMENT_BYTES),
                ranges), tls, InetAddress::getAllByName);
    }

    private ClientPolicyException reject(RealmModel realm, String clientId, String error, String description) {
        new EventBuilder(realm, session, session.getContext().getConnection()).event(EventType.CLIENT_REGISTER)
                .detail(Details.REASON, description).detail("client_id_url", abbreviate(clientId))
                .error(error);
        LOG.infof("Refused client ID metadata document %s: %s", abbreviate(clientId), description);
        return new ClientPolicyException(error, description, Response.Status.BAD_REQUEST);
    }

    private static String abbreviate(String clientId) {
        return clientId.length() > 200 ? clientId.substring(0, 200) : clientId;
    }

    private static long parseLong(String value) {
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
