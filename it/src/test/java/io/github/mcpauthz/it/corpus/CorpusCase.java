package io.github.mcpauthz.it.corpus;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.mcpauthz.it.support.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One case of the hostile-input corpus ({@code src/test/resources/hostile-corpus/<area>.json}): what is sent
 * ({@code request}, area-specific, with placeholders) and what the right answer is ({@code expect}).
 *
 * @param item the issue-12 item the case belongs to ("1" … "12"), {@code generic} or {@code control}
 */
public record CorpusCase(String id, String area, String item, String why, JsonNode request, Expect expect) {

    public static final List<String> AREAS =
            List.of("dcr", "dcr-update", "cimd-url", "cimd-document", "authorization", "token");

    /**
     * The right answer. {@code outcome}: {@code refuse} (with {@code status} or any of {@code statuses}, and error
     * code {@code error} or any of {@code errors}; null error = not checked), {@code accept} (a control), or
     * {@code any} (accepted or refused, but never a 5xx or a connection to a canary). {@code via} (authorization and
     * CIMD): {@code redirect} = an error redirect to the client with {@code iss}; {@code page} = Keycloak's error
     * page, no redirect to the client; {@code redirect-or-page}: either. {@code dropAllowed}: instead of refusing, the server may accept the request
     * with the offending {@code mcp-server:*} scope dropped (the runner then checks that the client holds none).
     */
    public record Expect(String outcome, int status, List<Integer> statuses, String error, List<String> errors,
                         String via, boolean dropAllowed) {

        public boolean refuse() {
            return "refuse".equals(outcome);
        }

        public boolean accept() {
            return "accept".equals(outcome);
        }

        public boolean statusMatches(int actual) {
            return actual == status || statuses.contains(actual);
        }

        public boolean errorMatches(String actual) {
            return error == null && errors.isEmpty()
                    || actual != null && (actual.equals(error) || errors.contains(actual));
        }

        public String describe() {
            if (!refuse()) {
                return outcome;
            }
            List<String> codes = new ArrayList<>();
            if (error != null) {
                codes.add(error);
            }
            codes.addAll(errors);
            List<Integer> all = new ArrayList<>(List.of(status));
            statuses.stream().filter(s -> s != status).forEach(all::add);
            return "refuse " + all.stream().map(String::valueOf).reduce((a, b) -> a + "|" + b).orElse("")
                    + (codes.isEmpty() ? "" : " " + String.join("|", codes)) + (via == null ? "" : " via " + via);
        }

        static Expect parse(JsonNode node) {
            List<Integer> statuses = new ArrayList<>();
            node.path("statuses").forEach(s -> statuses.add(s.asInt()));
            List<String> errors = new ArrayList<>();
            node.path("errors").forEach(e -> errors.add(e.asText()));
            String outcome = node.path("outcome").asText();
            if (!Set.of("refuse", "accept", "any").contains(outcome)) {
                throw new IllegalArgumentException("unknown outcome " + outcome + " in " + node);
            }
            return new Expect(outcome, node.path("status").asInt(0), List.copyOf(statuses),
                    node.hasNonNull("error") ? node.get("error").asText() : null, List.copyOf(errors),
                    node.hasNonNull("via") ? node.get("via").asText() : null, node.path("dropAllowed").asBoolean());
        }
    }

    /** Every case of every area, in file order; fails on an unknown area, a duplicate id or a missing field. */
    public static List<CorpusCase> loadAll() {
        List<CorpusCase> all = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (String area : AREAS) {
            String resource = "/hostile-corpus/" + area + ".json";
            JsonNode file;
            try (InputStream in = CorpusCase.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("missing corpus file " + resource);
                }
                file = Json.MAPPER.readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + resource, e);
            }
            for (JsonNode node : file.path("cases")) {
                CorpusCase c = new CorpusCase(text(node, "id"), text(node, "area"), text(node, "item"),
                        text(node, "why"), node.path("request"), Expect.parse(node.path("expect")));
                if (!area.equals(c.area())) {
                    throw new IllegalStateException(c.id() + " is in " + resource + " but says area " + c.area());
                }
                if (!ids.add(c.id())) {
                    throw new IllegalStateException("duplicate case id " + c.id());
                }
                all.add(c);
            }
        }
        return all;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new IllegalStateException("corpus case without " + field + ": " + node);
        }
        return value.asText();
    }
}
