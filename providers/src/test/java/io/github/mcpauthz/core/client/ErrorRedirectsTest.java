package io.github.mcpauthz.core.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorRedirectsTest {

    @ParameterizedTest(name = "{0} stays on the device: {1}")
    @CsvSource({
            "http://127.0.0.1:33418/callback, true",
            "http://localhost:6274/oauth/callback, true",
            "http://[::1]:5000/cb, true",
            "https://127.0.0.1:8443/cb, true",
            "https://[::1]/cb, true",
            "https://localhost/cb, true",
            "com.example.app:/oauth2redirect, true",
            "cursor://anysphere.cursor-retrieval/oauth/cb, true",
            "https://phish.example/cb, false",
            "https://claude.ai/api/mcp/auth_callback, false",
            "https://127.0.0.1.phish.example/cb, false",
            "https://localhost.phish.example/cb, false",
            "http://phish.example/cb, false",
            "javascript:alert(1), false",
            "not a uri, false",
    })
    void classifiesRedirectUris(String redirectUri, boolean staysOnDevice) {
        assertEquals(staysOnDevice, ErrorRedirects.staysOnDevice(redirectUri));
    }

    @org.junit.jupiter.api.Test
    void nullIsNotOnTheDevice() {
        assertEquals(false, ErrorRedirects.staysOnDevice(null));
    }

    @ParameterizedTest(name = "{0} has an invalid port: {1}")
    @CsvSource({
            "http://127.0.0.1:99999/callback, true",
            "http://127.0.0.1:0/callback, true",
            "http://[::1]:65536/cb, true",
            "http://127.0.0.1:65535/callback, false",
            "http://127.0.0.1/callback, false",
            "https://app.example.com:443/cb, false",
            "com.example.app:/cb, false",
            "not a uri, false",
    })
    void recognisesInvalidPorts(String redirectUri, boolean invalid) {
        assertEquals(invalid, ErrorRedirects.hasInvalidPort(redirectUri));
    }
}
