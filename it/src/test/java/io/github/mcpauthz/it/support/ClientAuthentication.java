package io.github.mcpauthz.it.support;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * How a client authenticates at the token endpoint, one per RFC 7591 {@code token_endpoint_auth_method} a dynamic
 * MCP client may register: {@code none} (public: only {@code client_id}), {@code client_secret_basic},
 * {@code client_secret_post}, {@code private_key_jwt} (RFC 7523 client assertion).
 */
public interface ClientAuthentication {

    /** The {@code token_endpoint_auth_method} this authentication corresponds to. */
    String method();

    /** Adds the client's identification and credentials to a token request. */
    void apply(TokenRequest request, String clientId);

    /** A public client: {@code client_id} in the form, nothing else. */
    static ClientAuthentication none() {
        return new ClientAuthentication() {
            @Override
            public String method() {
                return "none";
            }

            @Override
            public void apply(TokenRequest request, String clientId) {
                request.set("client_id", clientId);
            }
        };
    }

    /** {@code client_id} and {@code client_secret} in the form. */
    static ClientAuthentication secretPost(String secret) {
        return new ClientAuthentication() {
            @Override
            public String method() {
                return "client_secret_post";
            }

            @Override
            public void apply(TokenRequest request, String clientId) {
                request.set("client_id", clientId).set("client_secret", secret);
            }
        };
    }

    /** HTTP Basic with the form-encoded client id and secret (RFC 6749 §2.3.1); no client_id in the form. */
    static ClientAuthentication secretBasic(String secret) {
        return new ClientAuthentication() {
            @Override
            public String method() {
                return "client_secret_basic";
            }

            @Override
            public void apply(TokenRequest request, String clientId) {
                String credentials = Http.encode(clientId) + ":" + Http.encode(secret);
                request.header("Authorization", "Basic "
                        + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
            }
        };
    }

    /** A fresh RS256 client assertion (iss = sub = client id, aud = the token endpoint) signed with {@code key}. */
    static ClientAuthentication privateKeyJwt(ClientKey key) {
        return new ClientAuthentication() {
            @Override
            public String method() {
                return "private_key_jwt";
            }

            @Override
            public void apply(TokenRequest request, String clientId) {
                request.set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
                        .set("client_assertion", key.clientAssertion(clientId, request.tokenEndpoint()));
            }
        };
    }
}
