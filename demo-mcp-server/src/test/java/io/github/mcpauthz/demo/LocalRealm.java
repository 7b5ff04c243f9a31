package io.github.mcpauthz.demo;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the Keycloak realm, on 127.0.0.1: RFC 8414 metadata and a JWKS with one RSA key, and tokens signed
 * with it (or with a key the JWKS does not have) by Nimbus.
 */
final class LocalRealm implements AutoCloseable {

    static final String KEY_ID = "realm-key";

    private final HttpServer http;
    private final RSAKey key;
    private final String issuer;
    final AtomicInteger jwksFetches = new AtomicInteger();

    LocalRealm() throws IOException, JOSEException {
        key = new RSAKeyGenerator(2048).keyID(KEY_ID).generate();
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        issuer = "http://127.0.0.1:" + http.getAddress().getPort() + "/realms/test";
        http.createContext("/.well-known/oauth-authorization-server/realms/test", exchange -> json(exchange, Map.of(
                "issuer", issuer,
                "jwks_uri", issuer + "/protocol/openid-connect/certs",
                "authorization_endpoint", issuer + "/protocol/openid-connect/auth",
                "token_endpoint", issuer + "/protocol/openid-connect/token")));
        http.createContext("/realms/test/protocol/openid-connect/certs", exchange -> {
            jwksFetches.incrementAndGet();
            json(exchange, new JWKSet(key.toPublicJWK()).toJSONObject());
        });
        http.start();
    }

    String issuer() {
        return issuer;
    }

    /** Claims as Keycloak writes them for {@code audience}, valid for 5 minutes. */
    JWTClaimsSet.Builder claims(String audience, String scope) {
        long now = System.currentTimeMillis();
        return new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject("user-1")
                .audience(audience)
                .claim("azp", "client-1")
                .claim("typ", "Bearer")
                .claim("preferred_username", "alice")
                .claim("scope", scope)
                .issueTime(new Date(now))
                .expirationTime(new Date(now + 300_000));
    }

    String sign(JWTClaimsSet claims) throws JOSEException {
        return sign(claims, key);
    }

    /** Signed with another key that carries the realm key's {@code kid}: a forged token. */
    String signWithOtherKey(JWTClaimsSet claims) throws JOSEException {
        return sign(claims, new RSAKeyGenerator(2048).keyID(KEY_ID).generate());
    }

    private static String sign(JWTClaimsSet claims, RSAKey signingKey) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signingKey.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(signingKey));
        return jwt.serialize();
    }

    private static void json(HttpExchange exchange, Map<String, Object> body) throws IOException {
        byte[] bytes = JSONObjectUtils.toJSONString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        http.stop(0);
    }

    static List<String> list(String... values) {
        return List.of(values);
    }
}
