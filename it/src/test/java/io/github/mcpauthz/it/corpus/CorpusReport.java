package io.github.mcpauthz.it.corpus;

import io.github.mcpauthz.it.support.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The corpus run's results, as a Markdown table and JSON ({@code target/hostile-corpus-report.{md,json}}). */
public final class CorpusReport {

    /** How a case ended. */
    public enum Verdict {
        /** Refused as expected, or a control accepted, or an {@code any} case without 5xx. */
        PASS,
        /** A request that must be refused got through (2xx, a code, a token, a client created or changed). */
        ACCEPTED_MUST_REFUSE,
        /** HTTP 5xx. */
        SERVER_ERROR,
        /** Refused, but with another status, error code or channel (e.g. an error redirect instead of a page). */
        WRONG_REFUSAL,
        /** A control (valid input) was refused: the corpus would be vacuous. */
        CONTROL_REFUSED
    }

    /** One case's result; {@code canaryConnections} were accepted by a canary while the case ran. */
    public record Result(CorpusCase corpusCase, Verdict verdict, String actual, int canaryConnections, long millis) {

        public boolean failed() {
            return verdict != Verdict.PASS || canaryConnections > 0;
        }

        public String line() {
            return corpusCase.id() + " [item " + corpusCase.item() + "] expected " + corpusCase.expect().describe()
                    + "; got " + actual + (canaryConnections > 0 ? "; CANARY CONNECTIONS: " + canaryConnections : "");
        }
    }

    private final List<Result> results = new ArrayList<>();

    public synchronized void add(Result result) {
        results.add(result);
    }

    public synchronized List<Result> results() {
        return List.copyOf(results);
    }

    public long count(Verdict verdict) {
        return results().stream().filter(r -> r.verdict() == verdict).count();
    }

    public int canaryConnections() {
        return results().stream().mapToInt(Result::canaryConnections).sum();
    }

    public List<Result> failures() {
        return results().stream().filter(Result::failed).toList();
    }

    /** Writes both files and returns the Markdown. */
    public String write(Path directory, List<String> notes, List<CanaryListeners.Connection> connections,
                        int connectionsAfterRun) {
        StringBuilder md = new StringBuilder("# Hostile-input corpus report\n\n");
        notes.forEach(n -> md.append("- ").append(n).append('\n'));
        md.append("\n| area | cases | passed | refused as expected | accepted that must be refused | HTTP 5xx "
                + "| wrong refusal | control refused | canary connections |\n|---|---|---|---|---|---|---|---|---|\n");
        Map<String, List<Result>> byArea = new LinkedHashMap<>();
        CorpusCase.AREAS.forEach(a -> byArea.put(a, new ArrayList<>()));
        results().forEach(r -> byArea.get(r.corpusCase().area()).add(r));
        byArea.put("total", results());
        byArea.forEach((area, list) -> md.append("| ").append(area)
                .append(" | ").append(list.size())
                .append(" | ").append(list.stream().filter(r -> !r.failed()).count())
                .append(" | ").append(list.stream().filter(r -> r.corpusCase().expect().refuse() && !r.failed()).count())
                .append(" | ").append(count(list, Verdict.ACCEPTED_MUST_REFUSE))
                .append(" | ").append(count(list, Verdict.SERVER_ERROR))
                .append(" | ").append(count(list, Verdict.WRONG_REFUSAL))
                .append(" | ").append(count(list, Verdict.CONTROL_REFUSED))
                .append(" | ").append(list.stream().mapToInt(Result::canaryConnections).sum())
                .append(" |\n"));
        md.append("\nCanary connections after the last case: ").append(connectionsAfterRun).append("\n");
        Map<String, List<Result>> failedByItem = new TreeMap<>();
        failures().forEach(r -> failedByItem.computeIfAbsent(r.corpusCase().item(), k -> new ArrayList<>()).add(r));
        md.append("\n## Failing cases by issue-12 item\n\n");
        if (failedByItem.isEmpty()) {
            md.append("None.\n");
        }
        failedByItem.forEach((item, list) -> {
            md.append("\n### item ").append(item).append(" (").append(list.size()).append(")\n\n");
            list.forEach(r -> md.append("- `").append(r.verdict()).append("` ").append(escape(r.line())).append('\n'));
        });
        if (!connections.isEmpty()) {
            md.append("\n## Connections that reached a canary\n\n");
            connections.forEach(c -> md.append("- ").append(c.listener()).append(" from ").append(c.peer())
                    .append(": ").append(escape(c.firstBytes())).append('\n'));
        }
        List<Map<String, Object>> json = new ArrayList<>();
        for (Result r : results()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", r.corpusCase().id());
            entry.put("area", r.corpusCase().area());
            entry.put("item", r.corpusCase().item());
            entry.put("expected", r.corpusCase().expect().describe());
            entry.put("verdict", r.verdict().name());
            entry.put("actual", r.actual());
            entry.put("canaryConnections", r.canaryConnections());
            entry.put("millis", r.millis());
            json.add(entry);
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("notes", notes);
        document.put("total", results().size());
        document.put("acceptedMustRefuse", count(Verdict.ACCEPTED_MUST_REFUSE));
        document.put("serverErrors", count(Verdict.SERVER_ERROR));
        document.put("wrongRefusals", count(Verdict.WRONG_REFUSAL));
        document.put("controlsRefused", count(Verdict.CONTROL_REFUSED));
        document.put("canaryConnections", connectionsAfterRun);
        document.put("cases", json);
        try {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve("hostile-corpus-report.md"), md, StandardCharsets.UTF_8);
            Files.writeString(directory.resolve("hostile-corpus-report.json"),
                    Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(document), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the corpus report", e);
        }
        return md.toString();
    }

    private static long count(List<Result> list, Verdict verdict) {
        return list.stream().filter(r -> r.verdict() == verdict).count();
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && !Character.isLetterOrDigit(cp))) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.appendCodePoint(cp);
            }
        });
        String escaped = out.toString();
        return escaped.length() > 600 ? escaped.substring(0, 600) + "…" : escaped;
    }
}
