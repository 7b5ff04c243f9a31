package io.github.mcpauthz.it.cluster;

import io.github.mcpauthz.it.support.ClientRegistration;
import io.github.mcpauthz.it.support.ConsentBrowser;
import io.github.mcpauthz.it.support.HttpResult;
import io.github.mcpauthz.it.support.McpClient;
import io.github.mcpauthz.it.support.McpTestRealm;
import io.github.mcpauthz.it.support.TokenResponse;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One MCP client's life as an SDK runs it, step by step: dynamic registration, the browser's login and consent,
 * code, token with {@code resource}, refresh with {@code resource}, then a second authorization in the same browser
 * (the consent must be remembered: no consent page) and its code exchange. Every step's outcome is checked exactly
 * and counted in {@link Tally}; a step that is not what it must be ends the round with a {@link StepFailure}.
 */
final class SimulatedMcpClient {

    enum Step { REGISTER, AUTHORIZE, TOKEN, REFRESH, REAUTHORIZE, TOKEN_AGAIN }

    /** A step whose outcome was not the expected one. */
    static final class StepFailure extends RuntimeException {
        final Step step;

        StepFailure(Step step, String message) {
            super(step + ": " + message, null, false, false);
            this.step = step;
        }
    }

    /** Counts and latencies of many rounds, shared by the threads. */
    static final class Tally {
        final AtomicLong rounds = new AtomicLong();
        final AtomicLong wrongAudience = new AtomicLong();
        final AtomicLong lostConsents = new AtomicLong();
        final AtomicLong failures = new AtomicLong();
        final ConcurrentLinkedQueue<String> failureSamples = new ConcurrentLinkedQueue<>();
        final Map<Step, ConcurrentLinkedQueue<Long>> micros = new ConcurrentHashMap<>();

        void time(Step step, long startNanos) {
            micros.computeIfAbsent(step, s -> new ConcurrentLinkedQueue<>())
                    .add((System.nanoTime() - startNanos) / 1000);
        }

        void fail(RuntimeException e) {
            failures.incrementAndGet();
            if (failureSamples.size() < 20) {
                failureSamples.add(e + (e.getCause() == null ? "" : " (cause: " + e.getCause() + ")"));
            }
        }

        long count(Step step) {
            ConcurrentLinkedQueue<Long> values = micros.get(step);
            return values == null ? 0 : values.size();
        }

        /** One line per step: count and p50 / p90 / p99 / max in milliseconds. */
        String latencies() {
            StringBuilder out = new StringBuilder(String.format("%-12s %7s %8s %8s %8s %8s%n", "step", "count",
                    "p50 ms", "p90 ms", "p99 ms", "max ms"));
            for (Step step : Step.values()) {
                List<Long> sorted = micros.getOrDefault(step, new ConcurrentLinkedQueue<>()).stream().sorted().toList();
                if (sorted.isEmpty()) {
                    continue;
                }
                out.append(String.format("%-12s %7d %8.1f %8.1f %8.1f %8.1f%n", step, sorted.size(),
                        percentile(sorted, 50), percentile(sorted, 90), percentile(sorted, 99),
                        sorted.get(sorted.size() - 1) / 1000.0));
            }
            return out.toString();
        }

        private static double percentile(List<Long> sorted, int p) {
            int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1000.0;
        }
    }

    /** What a round left behind, for later checks (null fields: the round did not get that far). */
    record Round(String clientId, String refreshToken, boolean consented) {
    }

    private SimulatedMcpClient() {
    }

    /** One full round in {@code realm} for {@code resource}; the client is named {@code name}. */
    static Round run(McpTestRealm realm, String resource, String name, Tally tally) {
        long start = System.nanoTime();
        String redirectUri = McpClient.loopbackRedirectUri();
        HttpResult registered = realm.register(ClientRegistration.sdkMetadata(name, redirectUri, null));
        tally.time(Step.REGISTER, start);
        if (registered.status() != 201) {
            throw new StepFailure(Step.REGISTER, registered.describe());
        }
        McpClient client = McpClient.of(realm.issuer(), registered.json().path("client_id").asText(), redirectUri,
                io.github.mcpauthz.it.support.ClientAuthentication.none());

        ConsentBrowser browser = new ConsentBrowser();
        start = System.nanoTime();
        ConsentBrowser.Outcome first = browser.authorize(client.authorizationRequest().resource(resource),
                realm.user(), ConsentBrowser.Answer.ALLOW);
        tally.time(Step.AUTHORIZE, start);
        if (first.response().code() == null || !first.consentShown()) {
            throw new StepFailure(Step.AUTHORIZE, first.describe());
        }
        start = System.nanoTime();
        TokenResponse tokens = client.exchange(first.response(), resource);
        tally.time(Step.TOKEN, start);
        checkToken(Step.TOKEN, tokens, resource, client, tally);

        start = System.nanoTime();
        TokenResponse refreshed = client.refresh(tokens.refreshToken(), resource);
        tally.time(Step.REFRESH, start);
        checkToken(Step.REFRESH, refreshed, resource, client, tally);

        start = System.nanoTime();
        ConsentBrowser.Outcome second = browser.authorize(client.authorizationRequest().resource(resource),
                realm.user(), ConsentBrowser.Answer.DENY); // DENY would only be pressed if the page came back
        tally.time(Step.REAUTHORIZE, start);
        if (second.consentShown()) {
            tally.lostConsents.incrementAndGet();
            throw new StepFailure(Step.REAUTHORIZE, "consent asked again: " + second.describe());
        }
        if (second.response().code() == null) {
            throw new StepFailure(Step.REAUTHORIZE, second.describe());
        }
        start = System.nanoTime();
        TokenResponse again = client.exchange(second.response(), resource);
        tally.time(Step.TOKEN_AGAIN, start);
        checkToken(Step.TOKEN_AGAIN, again, resource, client, tally);
        tally.rounds.incrementAndGet();
        return new Round(client.clientId(), again.refreshToken(), true);
    }

    private static void checkToken(Step step, TokenResponse tokens, String resource, McpClient client, Tally tally) {
        if (tokens.status() != 200) {
            throw new StepFailure(step, tokens.describe());
        }
        if (!List.of(resource).equals(tokens.audience())
                || !client.clientId().equals(tokens.accessTokenClaims().path("azp").asText())) {
            tally.wrongAudience.incrementAndGet();
            throw new StepFailure(step, "aud " + tokens.audience() + ", azp "
                    + tokens.accessTokenClaims().path("azp").asText() + " for client " + client.clientId());
        }
    }
}
