package io.github.mcpauthz.demo;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks access tokens of one realm for one resource with Nimbus JOSE+JWT: signature against the realm's JWKS
 * ({@code jwks_uri} from the realm's RFC 8414 metadata), {@code iss} equal to the issuer, {@code aud} exactly this
 * resource and nothing else, {@code exp} in the future (Nimbus' default 60 s clock skew).
 *
 * <p>The metadata is fetched at the first token, not at start, so the server may start before Keycloak; a failed
 * fetch is tried again at the next token.
 */
public final class AccessTokenVerifier {

    /** A token that passed every check. */
    public record VerifiedToken(String subject, String clientId, Set<String> scopes, JWTClaimsSet claims) {
    }

    /** The token is not acceptable: answered with 401 {@code invalid_token}. */
    public static final class InvalidTokenException extends Exception {
        public InvalidTokenException(String message) {
            super(message);
        }
    }

    /** The realm's metadata or keys could not be fetched: answered with 503, the token may be fine. */
    public static final class UnavailableException extends Exception {
        public UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final int JWKS_SIZE_LIMIT = 256 * 1024;
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    private final String issuer;
    private final String resource;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    private volatile ConfigurableJWTProcessor<SecurityContext> processor;

    public AccessTokenVerifier(String issuer, String resource) {
        this.issuer = issuer;
        this.resource = resource;
    }

    public String issuer() {
        return issuer;
    }

    public String resource() {
        return resource;
    }

    public VerifiedToken verify(String token) throws InvalidTokenException, UnavailableException {
        ConfigurableJWTProcessor<SecurityContext> jwtProcessor = processor();
        JWTClaimsSet claims;
        try {
            claims = jwtProcessor.process(token, null);
        } catch (KeySourceException e) {
            throw new UnavailableException("the realm's keys could not be fetched: " + e.getMessage(), e);
        } catch (ParseException e) {
            throw new InvalidTokenException("not a JWT");
        } catch (BadJOSEException | JOSEException e) {
            throw new InvalidTokenException(e.getMessage());
        }
        List<String> audience = claims.getAudience();
        if (audience.size() != 1 || !resource.equals(audience.get(0))) {
            throw new InvalidTokenException("the token is not for this resource alone: aud=" + audience);
        }
        Set<String> scopes = new LinkedHashSet<>();
        try {
            String scope = claims.getStringClaim("scope");
            if (scope != null) {
                for (String s : scope.trim().split("\\s+")) {
                    if (!s.isEmpty()) {
                        scopes.add(s);
                    }
                }
            }
            return new VerifiedToken(claims.getSubject(), claims.getStringClaim("azp"), Set.copyOf(scopes), claims);
        } catch (ParseException e) {
            throw new InvalidTokenException("malformed scope or azp claim");
        }
    }

    private ConfigurableJWTProcessor<SecurityContext> processor() throws UnavailableException {
        ConfigurableJWTProcessor<SecurityContext> current = processor;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (processor == null) {
                processor = newProcessor(discoverJwksUri());
            }
            return processor;
        }
    }

    private ConfigurableJWTProcessor<SecurityContext> newProcessor(String jwksUri) throws UnavailableException {
        JWKSource<SecurityContext> keys;
        try {
            keys = JWKSourceBuilder.create(URI.create(jwksUri).toURL(),
                            new DefaultResourceRetriever((int) TIMEOUT.toMillis(), (int) TIMEOUT.toMillis(),
                                    JWKS_SIZE_LIMIT))
                    .retrying(true)
                    .build();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new UnavailableException("jwks_uri is not a URL: " + jwksUri, e);
        }
        DefaultJWTProcessor<SecurityContext> jwt = new DefaultJWTProcessor<>();
        jwt.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
        jwt.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
                resource,
                new JWTClaimsSet.Builder().issuer(issuer).build(),
                new HashSet<>(List.of("iss", "aud", "exp"))));
        return jwt;
    }

    /**
     * RFC 8414 metadata at {@code <origin>/.well-known/oauth-authorization-server<path>}, else OpenID discovery at
     * {@code <issuer>/.well-known/openid-configuration}; its {@code issuer} must equal the configured one exactly.
     */
    private String discoverJwksUri() throws UnavailableException {
        URI issuerUri = URI.create(issuer);
        String origin = issuerUri.getScheme() + "://" + issuerUri.getRawAuthority();
        List<String> candidates = List.of(
                origin + "/.well-known/oauth-authorization-server" + issuerUri.getRawPath(),
                issuer + "/.well-known/openid-configuration");
        StringBuilder failures = new StringBuilder();
        for (String url : candidates) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(TIMEOUT).header("Accept", "application/json").GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    failures.append(url).append(" -> HTTP ").append(response.statusCode()).append("; ");
                    continue;
                }
                Map<String, Object> metadata = JSONObjectUtils.parse(response.body());
                String advertised = JSONObjectUtils.getString(metadata, "issuer");
                if (!issuer.equals(advertised)) {
                    throw new UnavailableException("metadata at " + url + " names issuer " + advertised
                            + ", expected " + issuer, null);
                }
                String jwksUri = JSONObjectUtils.getString(metadata, "jwks_uri");
                if (jwksUri == null) {
                    throw new UnavailableException("metadata at " + url + " has no jwks_uri", null);
                }
                return jwksUri;
            } catch (IOException | ParseException e) {
                failures.append(url).append(" -> ").append(e).append("; ");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnavailableException("interrupted", e);
            }
        }
        throw new UnavailableException("no authorization server metadata for " + issuer + ": " + failures, null);
    }
}
