package io.github.mcpauthz.core.client;

import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.keycloak.jose.jwk.JSONWebKeySet;
import org.keycloak.jose.jwk.JWK;
import org.keycloak.jose.jwk.JWKParser;
import org.keycloak.util.JWKSUtils;
import org.keycloak.util.JsonSerialization;

/**
 * Checks a client's inline {@code jwks} the way Keycloak will use it, before Keycloak sees it: a JWK set of at most
 * {@value DynamicClientMetadata#MAX_JWKS_KEYS} public keys that Keycloak's own JWK parser turns into public keys, with
 * a signing key Keycloak picks for {@code private_key_jwt}. Keycloak's registration converter parses that key without
 * catching errors, so a malformed key would otherwise be an HTTP 500.
 */
public final class ClientKeys {

    /** Members that only a private or symmetric key has: a public document must never carry them. */
    private static final Set<String> PRIVATE_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv");

    private ClientKeys() {
    }

    public static void check(JsonNode jwks) throws ClientMetadataException {
        if (jwks == null || !jwks.isObject()) {
            throw ClientMetadataException.metadata("jwks must be a JWK set: a JSON object with a keys array");
        }
        JsonNode keys = jwks.get("keys");
        if (keys == null || !keys.isArray() || keys.isEmpty()) {
            throw ClientMetadataException.metadata("jwks must contain a non-empty keys array");
        }
        if (keys.size() > DynamicClientMetadata.MAX_JWKS_KEYS) {
            throw ClientMetadataException.metadata("jwks may contain at most " + DynamicClientMetadata.MAX_JWKS_KEYS + " keys");
        }
        for (JsonNode key : keys) {
            if (!key.isObject() || !key.path("kty").isTextual()) {
                throw ClientMetadataException.metadata("every key in jwks must be a JSON object with a kty");
            }
            for (String member : PRIVATE_MEMBERS) {
                if (key.has(member)) {
                    throw ClientMetadataException.metadata("jwks must contain public keys only (a key has \"" + member + "\")");
                }
            }
        }
        JSONWebKeySet set;
        try {
            set = JsonSerialization.mapper.treeToValue(jwks, JSONWebKeySet.class);
        } catch (Exception e) {
            throw ClientMetadataException.metadata("jwks is not a valid JWK set");
        }
        if (set == null || set.getKeys() == null) {
            throw ClientMetadataException.metadata("jwks is not a valid JWK set");
        }
        for (JWK jwk : set.getKeys()) {
            PublicKey publicKey = publicKey(jwk);
            if (publicKey instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < DynamicClientMetadata.MIN_RSA_BITS) {
                throw ClientMetadataException.metadata("jwks key " + describe(jwk) + " is an RSA key shorter than "
                        + DynamicClientMetadata.MIN_RSA_BITS + " bits");
            }
        }
        JWK signing;
        try {
            signing = JWKSUtils.getKeyForUse(set, JWK.Use.SIG);
        } catch (RuntimeException e) {
            signing = null;
        }
        if (signing == null) {
            throw ClientMetadataException.metadata("jwks must contain a signing key (\"use\": \"sig\") of type RSA, EC or OKP");
        }
    }

    private static PublicKey publicKey(JWK jwk) throws ClientMetadataException {
        try {
            JWKParser parser = JWKParser.create(jwk);
            if (!parser.isKeyTypeSupported(jwk.getKeyType())) {
                throw ClientMetadataException.metadata("jwks key " + describe(jwk) + " has an unsupported key type");
            }
            PublicKey key = parser.toPublicKey();
            if (key == null) {
                throw ClientMetadataException.metadata("jwks key " + describe(jwk) + " is not a usable public key");
            }
            return key;
        } catch (ClientMetadataException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            throw ClientMetadataException.metadata("jwks key " + describe(jwk) + " is not a usable public key");
        }
    }

    private static String describe(JWK jwk) {
        String kid = jwk.getKeyId();
        return kid == null ? "without kid" : "\"" + RedirectUriRules.abbreviate(kid) + "\"";
    }
}
