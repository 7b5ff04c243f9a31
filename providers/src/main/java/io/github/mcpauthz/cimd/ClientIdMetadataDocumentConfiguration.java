package io.github.mcpauthz.cimd;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.keycloak.representations.idm.ClientPolicyExecutorConfigurationRepresentation;

/** Settings of {@link ClientIdMetadataDocumentExecutor}, stored in the realm's client profile {@code mcp}. */
public class ClientIdMetadataDocumentConfiguration extends ClientPolicyExecutorConfigurationRepresentation {

    public static final String OPEN = "open";
    public static final String ALLOW_LIST = "allow-list";

    /** Clients one document host may create per window (0 = no limit); see DynamicClientLimits. */
    public static final String REGISTRATIONS_PER_HOST = "registrations-per-host";
    public static final String HOST_RATE_WINDOW = "host-rate-window-seconds";
    public static final int DEFAULT_REGISTRATIONS_PER_HOST = 20;
    public static final int DEFAULT_HOST_RATE_WINDOW = 3600;

    @JsonProperty("trust-policy")
    public String trustPolicy = OPEN;

    @JsonProperty("allowed-domains")
    public List<String> allowedDomains = new ArrayList<>();

    @JsonProperty("denied-domains")
    public List<String> deniedDomains = new ArrayList<>();

    @JsonProperty("allow-http")
    public Boolean allowHttp = false;

    @JsonProperty("allowed-address-ranges")
    public List<String> allowedAddressRanges = new ArrayList<>();

    @JsonProperty("min-cache-seconds")
    public Integer minCacheSeconds = 300;

    @JsonProperty("max-cache-seconds")
    public Integer maxCacheSeconds = 86400;

    @JsonProperty("connect-timeout-ms")
    public Integer connectTimeoutMs = 2000;

    @JsonProperty("read-timeout-ms")
    public Integer readTimeoutMs = 3000;

    @JsonProperty("max-document-bytes")
    public Integer maxDocumentBytes = 5120;

    @JsonProperty(REGISTRATIONS_PER_HOST)
    public Integer registrationsPerHost = DEFAULT_REGISTRATIONS_PER_HOST;

    @JsonProperty(HOST_RATE_WINDOW)
    public Integer hostRateWindowSeconds = DEFAULT_HOST_RATE_WINDOW;
}
