package io.github.mcpauthz.core.client;

import org.keycloak.OAuthErrorException;

/**
 * A dynamic registration request the realm refuses: an RFC 7591 error code ({@code invalid_redirect_uri},
 * {@code invalid_client_metadata}) and a description telling the client author what to fix.
 */
public class ClientMetadataException extends Exception {

    public static final String INVALID_REDIRECT_URI = OAuthErrorException.INVALID_REDIRECT_URI;
    public static final String INVALID_CLIENT_METADATA = OAuthErrorException.INVALID_CLIENT_METADATA;

    private final String error;

    public ClientMetadataException(String error, String description) {
        super(description, null, false, false);
        this.error = error;
    }

    public static ClientMetadataException redirect(String description) {
        return new ClientMetadataException(INVALID_REDIRECT_URI, description);
    }

    public static ClientMetadataException metadata(String description) {
        return new ClientMetadataException(INVALID_CLIENT_METADATA, description);
    }

    public String error() {
        return error;
    }

    public String description() {
        return getMessage();
    }
}
