package io.github.mcpauthz.core.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Inline jwks is parsed with Keycloak's JWK parser before Keycloak sees it; anything unusable is a 400. */
class ClientKeysTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static String rsaJwk(int bits, String use) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(bits);
        RSAPublicKey key = (RSAPublicKey) generator.generateKeyPair().getPublic();
        return "{\"kty\":\"RSA\",\"kid\":\"k1\"" + (use == null ? "" : ",\"use\":\"" + use + "\"") + ",\"alg\":\"RS256\",\"n\":\""
                + b64(key.getModulus()) + "\",\"e\":\"" + b64(key.getPublicExponent()) + "\"}";
    }

    private static String b64(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes[0] == 0) {
            bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void aUsableRsaSigningKeyPasses() throws Exception {
        ClientKeys.check(json("{\"keys\":[" + rsaJwk(2048, "sig") + "]}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[]| jwks must be a JWK set: a JSON object with a keys array",
            "{}| jwks must contain a non-empty keys array",
            "{\"keys\":[]}| jwks must contain a non-empty keys array",
            "{\"keys\":{}}| jwks must contain a non-empty keys array",
            "{\"keys\":[1]}| every key in jwks must be a JSON object with a kty",
            "{\"keys\":[{\"n\":\"x\"}]}| every key in jwks must be a JSON object with a kty",
            "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"n\":\"!!!\",\"e\":\"AQAB\"}]}| jwks key without kid is not a usable public key",
            "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"kid\":\"a\"}]}| jwks key \"a\" is not a usable public key",
            "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}| jwks key without kid is not a usable public key",
            "{\"keys\":[{\"kty\":\"EC\",\"use\":\"sig\",\"crv\":\"P-256\"}]}| jwks key without kid is not a usable public key",
            "{\"keys\":[{\"kty\":\"oct\",\"use\":\"sig\"}]}| jwks key without kid has an unsupported key type",
            "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"n\":\"AQAB\",\"e\":\"AQAB\",\"d\":\"AQAB\"}]}| jwks must contain public keys only (a key has \"d\")",
            "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"x\",\"use\":\"sig\",\"n\":5,\"e\":\"AQAB\"}]}| jwks key \"x\" is not a usable public key"})
    void malformedKeySetsAreRefused(String jwks, String description) throws Exception {
        ClientMetadataException e = assertThrows(ClientMetadataException.class, () -> ClientKeys.check(json(jwks)));
        assertEquals(ClientMetadataException.INVALID_CLIENT_METADATA, e.error());
        assertEquals(description, e.description());
    }

    @Test
    void weakRsaKeysAndKeysWithoutSigningUseAreRefused() throws Exception {
        ClientMetadataException weak = assertThrows(ClientMetadataException.class,
                () -> ClientKeys.check(json("{\"keys\":[" + rsaJwk(1024, "sig") + "]}")));
        assertEquals("jwks key \"k1\" is an RSA key shorter than 2048 bits", weak.description());
        ClientMetadataException noUse = assertThrows(ClientMetadataException.class,
                () -> ClientKeys.check(json("{\"keys\":[" + rsaJwk(2048, null) + "]}")));
        assertEquals("jwks must contain a signing key (\"use\": \"sig\") of type RSA, EC or OKP", noUse.description());
    }

    @Test
    void atMostTenKeys() throws Exception {
        String key = rsaJwk(2048, "sig");
        StringBuilder keys = new StringBuilder("{\"keys\":[");
        for (int i = 0; i < 11; i++) {
            keys.append(i == 0 ? "" : ",").append(key);
        }
        ClientMetadataException e = assertThrows(ClientMetadataException.class,
                () -> ClientKeys.check(json(keys + "]}")));
        assertEquals("jwks may contain at most 10 keys", e.description());
    }
}
