package io.github.mcpauthz.cimd;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.keycloak.representations.idm.ClientPolicyExecutorConfigurationRepresentation;

/**
 * Settings of {@link ClientIdMetadataDocumentExecutor}, stored in the realm's client profile {@code mcp}. Each key and
 * default is a constant here, used by the factory's admin-console properties too.
 */
public class ClientIdMetadataDocumentConfiguration extends ClientPolicyExecutorConfigurationRepresentation {

    public static final String OPEN = "open";
    public static final String ALLOW_LIST = "allow-list";

    /** Clients one document host may create per window (0 = no limit); see DynamicClientLimits. */
    public static final String REGISTRATIONS_PER_HOST = "registrations-per-host";
    public static final String HOST_RATE_WINDOW = "host-rate-window-seconds";
    public static final int DEFAULT_REGISTRATIONS_PER_HOST = 20;
    public static final int DEFAULT_HOST_RATE_WINDOW = 3600;

    public static final String TRUST_POLICY = "trust-policy";
    public static final String ALLOWED_DOMAINS = "allowed-domains";
    public static final String DENIED_DOMAINS = "denied-domains";
    public static final String ALLOW_HTTP = "allow-http";
    public static final String ALLOWED_ADDRESS_RANGES = "allowed-address-ranges";
    public static final String MIN_CACHE_SECONDS = "min-cache-seconds";
    public static final String MAX_CACHE_SECONDS = "max-cache-seconds";
    public static final String CONNECT_TIMEOUT_MS = "connect-timeout-ms";
    public static final String READ_TIMEOUT_MS = "read-timeout-ms";
    public static final String FETCH_DEADLINE_MS = "fetch-deadline-ms";
    public static final String MAX_DOCUMENT_BYTES = "max-document-bytes";
    public static final String MAX_CONCURRENT_FETCHES = "max-concurrent-fetches";
    public static final String MAX_CONCURRENT_FETCHES_PER_HOST = "max-concurrent-fetches-per-host";
    public static final String FAILURE_CACHE_SECONDS = "failure-cache-seconds";

    public static final int DEFAULT_MIN_CACHE_SECONDS = 300;
    public static final int DEFAULT_MAX_CACHE_SECONDS = 86400;
    public static final int DEFAULT_CONNECT_TIMEOUT_MS = 2000;
    public static final int DEFAULT_READ_TIMEOUT_MS = 3000;
    public static final int DEFAULT_FETCH_DEADLINE_MS = 5000;
    public static final int DEFAULT_MAX_DOCUMENT_BYTES = 5120;
    public static final int DEFAULT_MAX_CONCURRENT_FETCHES = 10;
    public static final int DEFAULT_MAX_CONCURRENT_FETCHES_PER_HOST = 2;
    public static final int DEFAULT_FAILURE_CACHE_SECONDS = 30;

    @JsonProperty(TRUST_POLICY)
    public String trustPolicy = OPEN;

    @JsonProperty(ALLOWED_DOMAINS)
    public List<String> allowedDomains = new ArrayList<>();

    @JsonProperty(DENIED_DOMAINS)
    public List<String> deniedDomains = new ArrayList<>();

    @JsonProperty(ALLOW_HTTP)
    public Boolean allowHttp = false;

    @JsonProperty(ALLOWED_ADDRESS_RANGES)
    public List<String> allowedAddressRanges = new ArrayList<>();

    @JsonProperty(MIN_CACHE_SECONDS)
    public Integer minCacheSeconds = DEFAULT_MIN_CACHE_SECONDS;

    @JsonProperty(MAX_CACHE_SECONDS)
    public Integer maxCacheSeconds = DEFAULT_MAX_CACHE_SECONDS;

    @JsonProperty(CONNECT_TIMEOUT_MS)
    public Integer connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;

    @JsonProperty(READ_TIMEOUT_MS)
    public Integer readTimeoutMs = DEFAULT_READ_TIMEOUT_MS;

    @JsonProperty(REGISTRATIONS_PER_HOST)
    public Integer registrationsPerHost = DEFAULT_REGISTRATIONS_PER_HOST;

    @JsonProperty(HOST_RATE_WINDOW)
    public Integer hostRateWindowSeconds = DEFAULT_HOST_RATE_WINDOW;

    @JsonProperty(FETCH_DEADLINE_MS)
    public Integer fetchDeadlineMs = DEFAULT_FETCH_DEADLINE_MS;

    @JsonProperty(MAX_DOCUMENT_BYTES)
    public Integer maxDocumentBytes = DEFAULT_MAX_DOCUMENT_BYTES;

    @JsonProperty(MAX_CONCURRENT_FETCHES)
    public Integer maxConcurrentFetches = DEFAULT_MAX_CONCURRENT_FETCHES;

    @JsonProperty(MAX_CONCURRENT_FETCHES_PER_HOST)
    public Integer maxConcurrentFetchesPerHost = DEFAULT_MAX_CONCURRENT_FETCHES_PER_HOST;

    @JsonProperty(FAILURE_CACHE_SECONDS)
    public Integer failureCacheSeconds = DEFAULT_FAILURE_CACHE_SECONDS;

    /** {@code value}, or {@code fallback} when it is missing or below {@code min} (a blank field in the console). */
    static int atLeast(Integer value, int min, int fallback) {
        return value == null || value < min ? fallback : value;
    }
}
