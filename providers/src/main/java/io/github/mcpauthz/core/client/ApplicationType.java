package io.github.mcpauthz.core.client;

import java.util.Locale;

/** OIDC Dynamic Client Registration {@code application_type}. */
public enum ApplicationType {
    NATIVE, WEB;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the metadata value; null when absent. */
    static ApplicationType parse(String value) throws ClientMetadataException {
        if (value == null) {
            return null;
        }
        return switch (value) {
            case "native" -> NATIVE;
            case "web" -> WEB;
            default -> throw ClientMetadataException.metadata("application_type must be \"native\" or \"web\"");
        };
    }
}
