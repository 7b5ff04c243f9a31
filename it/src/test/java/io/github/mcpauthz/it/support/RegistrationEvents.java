package io.github.mcpauthz.it.support;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** The {@code CLIENT_REGISTER_ERROR} events a realm with {@code eventsEnabled} stores for refused registrations. */
public final class RegistrationEvents {

    public static final String CLIENT_REGISTER_ERROR = "CLIENT_REGISTER_ERROR";

    private RegistrationEvents() {
    }

    /**
     * Waits (up to 3 s) for a {@code CLIENT_REGISTER_ERROR} event of the request sent at or after {@code sentAtMillis}
     * (the caller's {@code System.currentTimeMillis()} just before sending it; Keycloak runs on this machine) with
     * {@code error} and {@code details.reason} equal to {@code reason}. An earlier event with the same reason, left by
     * another request, does not count. Fails listing what the realm stored if there is none.
     */
    public static JsonNode awaitError(AdminApi admin, String realm, long sentAtMillis, String error, String reason) {
        long deadline = System.nanoTime() + 3_000_000_000L;
        JsonNode events;
        do {
            events = admin.events(realm, CLIENT_REGISTER_ERROR);
            for (JsonNode event : events) {
                if (event.path("time").asLong() >= sentAtMillis && error.equals(event.path("error").asText())
                        && reason.equals(event.path("details").path("reason").asText())) {
                    return event;
                }
            }
            sleep(200);
        } while (System.nanoTime() < deadline);
        List<String> stored = new ArrayList<>();
        events.forEach(event -> stored.add(event.path("time").asLong() + " " + event.path("error").asText() + ": "
                + event.path("details").path("reason").asText()));
        throw new AssertionError("no " + CLIENT_REGISTER_ERROR + " event with error=" + error + " and reason=\"" + reason
                + "\" at or after " + sentAtMillis + " in realm " + realm + "; stored: " + stored);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
