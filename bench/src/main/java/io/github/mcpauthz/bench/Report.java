package io.github.mcpauthz.bench;

import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** results.md, results.json and two SVG charts (drawn here, no external tool). */
final class Report {

    private static final String STOCK_COLOR = "#8c8c8c";
    private static final String JAR_COLOR = "#1f6feb";
    private static final List<String> FILES = List.of("results.md", "results.json", "throughput.svg", "latency.svg");

    private final Result result;
    private final Options options;

    Report(Result result, Options options) {
        this.result = result;
        this.options = options;
    }

    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("results.md"), markdown());
        Files.writeString(dir.resolve("results.json"),
                Web.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result) + "\n");
        Files.writeString(dir.resolve("throughput.svg"), throughputChart());
        Files.writeString(dir.resolve("latency.svg"), latencyChart());
        Path latest = dir.getParent().resolve("latest");
        try {
            Files.deleteIfExists(latest);
            Files.createSymbolicLink(latest, dir.getFileName());
        } catch (IOException | UnsupportedOperationException ignored) {
            // a convenience only
        }
        this.dir = dir;
    }

    private Path dir;

    void publish(Path docs) throws IOException {
        Files.createDirectories(docs);
        for (String file : FILES) {
            Files.copy(dir.resolve(file), docs.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    // --- Markdown ------------------------------------------------------------------------------------------------------

    String markdown() {
        StringBuilder md = new StringBuilder();
        var m = result.machine;
        md.append("## Benchmark: stock Keycloak vs Keycloak + keycloak-mcp-authz\n\n");
        md.append(String.format(Locale.ROOT, "Keycloak %s, %s, %s CPUs (%s), %s MiB, %s. %s%d round(s) × %s s per side "
                        + "(warm-up %s s, %s s more before a scenario's first round), %d concurrent clients, loopback%s. Date %s.%n%n",
                m.get("keycloak"), m.get("os"), m.get("cpus"), m.getOrDefault("cpuModel", "?"),
                m.getOrDefault("memoryMiB", "?"), m.get("java"), options.smoke ? "**Smoke run** (figures not meaningful): " : "",
                options.rounds, num(options.roundSeconds), num(options.warmupSeconds), num(options.jitWarmupSeconds),
                options.concurrency, options.scenarioRestarts ? "; both Keycloaks restarted before each scenario" : "",
                m.get("date")));
        md.append("Throughput: median of the rounds, operations per second. Latency: percentiles over all rounds, ms. "
                + "Ratios: jar / stock (throughput ≥ 1 and p50 ≤ 1 favour the jar).\n\n");
        md.append("| scenario | what one operation is | stock req/s | jar req/s | jar/stock | stock p50 / p90 / p99 | "
                + "jar p50 / p90 / p99 | p50 jar/stock |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (Result.Scenario s : result.scenarios) {
            Result.SideFigures stock = s.sides.get(Side.STOCK.id);
            Result.SideFigures jar = s.sides.get(Side.JAR.id);
            String status = "ok".equals(s.status) ? "" : " **(" + s.status + ")**";
            md.append("| ").append(s.id).append(" | ").append(s.title).append(status).append(" | ")
                    .append(stock == null ? "—" : num(stock.throughput)).append(" | ")
                    .append(jar == null ? "—" : num(jar.throughput)).append(" | ")
                    .append(s.throughputRatio == null ? "—" : String.format(Locale.ROOT, "%.2f×", s.throughputRatio)).append(" | ")
                    .append(percentiles(stock)).append(" | ").append(percentiles(jar)).append(" | ")
                    .append(s.p50Ratio == null ? "—" : String.format(Locale.ROOT, "%.2f×", s.p50Ratio)).append(" |\n");
        }
        forks(md);
        md.append("\nPer round (req/s; the sides alternate which goes first):\n\n| scenario | stock | jar | errors stock / jar |\n|---|---|---|---|\n");
        for (Result.Scenario s : result.scenarios) {
            if (s.sides.isEmpty()) {
                continue;
            }
            Result.SideFigures stock = s.sides.get(Side.STOCK.id);
            Result.SideFigures jar = s.sides.get(Side.JAR.id);
            md.append("| ").append(s.id).append(" | ").append(rounds(stock)).append(" | ").append(rounds(jar)).append(" | ")
                    .append(stock == null ? "—" : stock.errors).append(" / ").append(jar == null ? "—" : jar.errors)
                    .append(" |\n");
        }
        md.append("\nCPU per operation (Keycloak JVM user + system CPU time during the measured rounds, divided by the "
                + "operations, median of the rounds, ms; less dependent on other load on the machine than throughput):\n\n"
                + "| scenario | stock ms/op | jar ms/op | jar/stock | per round stock / jar |\n|---|---:|---:|---:|---|\n");
        for (Result.Scenario s : result.scenarios) {
            Result.SideFigures stock = s.sides.get(Side.STOCK.id);
            Result.SideFigures jar = s.sides.get(Side.JAR.id);
            Double st = stock == null ? null : stock.cpuMsPerOp;
            Double jr = jar == null ? null : jar.cpuMsPerOp;
            if (st == null && jr == null) {
                continue;
            }
            md.append("| ").append(s.id).append(" | ").append(st == null ? "—" : String.format(java.util.Locale.ROOT, "%.1f", st))
                    .append(" | ").append(jr == null ? "—" : String.format(java.util.Locale.ROOT, "%.1f", jr)).append(" | ")
                    .append(st == null || jr == null || st == 0 ? "—" : String.format(java.util.Locale.ROOT, "%.2f×", jr / st))
                    .append(" | ").append(stock == null ? "—" : stock.roundCpuMsPerOp).append(" / ")
                    .append(jar == null ? "—" : jar.roundCpuMsPerOp).append(" |\n");
        }
        if (!result.setups.isEmpty()) {
            md.append("\nRealm set-up (stock: one realm JSON with the client scopes and audience mappers; jar: one realm "
                    + "JSON with the servers, then `mcp-authz/enable`; then one more server over REST):\n\n");
            md.append("| realm | servers | side | import s | enable s | one more server s | one more, console's component create s | optional scopes of a new client | status |\n");
            md.append("|---|---:|---|---:|---:|---:|---:|---:|---|\n");
            for (Result.Setup s : result.setups) {
                md.append("| ").append(s.realm).append(" | ").append(s.servers).append(" | ").append(s.side).append(" | ")
                        .append(opt(s.importSeconds)).append(" | ").append(opt(s.enableSeconds)).append(" | ")
                        .append(opt(s.addOneServerSeconds)).append(" | ").append(opt(s.addOneComponentSeconds)).append(" | ")
                        .append(s.optionalScopesOfNewClient == null ? "—" : s.optionalScopesOfNewClient).append(" | ")
                        .append(s.status).append(" |\n");
            }
        }
        scaleComparison(md);
        md.append("\nStart-up (to the master realm's discovery document answering 200; a first start is a fresh "
                + "copy's, with an empty database and start-dev's build; first start s: the median of the first starts, "
                + "the sides taking turns) and memory (RSS of Keycloak's JVM):\n\n");
        md.append("| side | first start s | first starts s | restarts s | RSS after start MiB | RSS at the end MiB |\n"
                + "|---|---:|---:|---:|---:|---:|\n");
        result.startup.forEach((side, s) -> md.append("| ").append(side).append(" | ").append(opt(s.firstStartSeconds))
                .append(" | ").append(s.firstStarts.isEmpty() ? "—" : s.firstStarts.stream().map(Report::num)
                        .collect(Collectors.joining(", ")))
                .append(" | ").append(s.restartSeconds.isEmpty() ? "—" : s.restartSeconds.stream().map(Report::num)
                        .collect(Collectors.joining(", "))).append(" | ").append(opt(s.rssAfterStartMiB)).append(" | ")
                .append(opt(s.rssAfterLoadMiB)).append(" |\n"));
        md.append(String.format(Locale.ROOT, "%nProvider jar: `%s`, %s KiB, %s classes, %s of them outside "
                        + "`io/github/mcpauthz/` (bundled third-party code).%n", result.jar.get("file"),
                result.jar.get("kib"), result.jar.get("classes"), result.jar.get("classesOutsideIoGithubMcpauthz")));
        if (!result.notes.isEmpty()) {
            md.append("\n**Notes:**\n\n");
            result.notes.forEach(n -> md.append("* ").append(n.replace("\n", " ")).append("\n"));
        }
        if (!result.failures.isEmpty()) {
            md.append("\n**Functional failures:**\n\n");
            result.failures.forEach(f -> md.append("* ").append(f.replace("\n", " ")).append("\n"));
        }
        return md.toString();
    }

    /** With several forks: each token scenario's ratio per fork (median of the fork's rounds, jar over stock). */
    private void forks(StringBuilder md) {
        if (options.forks < 2 || result.scenarios.stream().noneMatch(s -> "token".equals(s.group))) {
            return;
        }
        md.append(String.format(Locale.ROOT, "%nThe token scenario ran in %d forks: both Keycloaks were restarted "
                + "between them, and its rows above pool every fork's rounds. Per fork, jar/stock throughput (ratio of "
                + "the fork's medians; in brackets the paired median, the median of round i's jar over round i's stock, two "
                + "rounds next to each other in time), then the paired median of every round:%n%n", options.forks));
        for (Result.Scenario s : result.scenarios) {
            Result.SideFigures stock = s.sides.get(Side.STOCK.id);
            Result.SideFigures jar = s.sides.get(Side.JAR.id);
            if (!"token".equals(s.group) || stock == null || jar == null) {
                continue;
            }
            StringBuilder line = new StringBuilder();
            int per = options.rounds;
            for (int from = 0; from + per <= Math.min(stock.roundThroughput.size(), jar.roundThroughput.size()); from += per) {
                List<Double> jarRounds = jar.roundThroughput.subList(from, from + per);
                List<Double> stockRounds = stock.roundThroughput.subList(from, from + per);
                double j = Result.median(jarRounds);
                double st = Result.median(stockRounds);
                line.append(line.length() == 0 ? "" : " / ").append(st > 0 ? String.format(Locale.ROOT, "%.2f", j / st) : "—")
                        .append(" (").append(paired(jarRounds, stockRounds, false)).append(")");
            }
            md.append("* ").append(s.id).append(": ").append(line.length() == 0 ? "—" : line).append("; all rounds paired: ")
                    .append(paired(jar.roundThroughput, stock.roundThroughput, true)).append("\n");
        }
    }

    /**
     * The jar at each larger scale against its smallest scale (the issue-13 target: at least 0.95× the throughput of
     * the 10-server realm), per scale scenario; a ratio ≥ 1 (throughput) or ≤ 1 (p50) means no slower.
     */
    private void scaleComparison(StringBuilder md) {
        List<Integer> scales = result.scenarios.stream().filter(s -> s.group != null && s.group.startsWith("scale-"))
                .map(s -> Integer.parseInt(s.group.substring("scale-".length()))).distinct().sorted().toList();
        if (scales.size() < 2) {
            return;
        }
        int base = scales.get(0);
        md.append(String.format(Locale.ROOT, "%nThe jar with N servers against %d servers (throughput ratio ≥ 1, "
                + "p50 and CPU ratios ≤ 1: no slower with more servers). %s%n%n", base,
                Boolean.TRUE.equals(result.settings.get("scaleRoundsInterleaved"))
                        ? "The scales' rounds take turns, so round i of N servers ran next to round i of " + base
                        + ". Paired: round i's ratio, the median over the rounds (and the lowest and highest); "
                        + "medians: the ratio of the two lanes' median throughputs." : ""));
        md.append("| scenario | servers | jar req/s | jar req/s at ").append(base).append(" | throughput ratio, paired | "
                + "throughput ratio, medians | jar p50 ms | jar p50 ms at ").append(base)
                .append(" | p50 ratio | CPU ms/op ratio, paired |\n"
                + "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|\n");
        for (Result.Scenario s : result.scenarios) {
            if (s.group == null || !s.group.startsWith("scale-") || s.group.equals("scale-" + base)) {
                continue;
            }
            String suffix = s.id.substring(s.group.length());
            Result.Scenario b = result.scenarios.stream().filter(x -> x.id.equals("scale-" + base + suffix)).findFirst()
                    .orElse(null);
            Result.SideFigures jar = s.sides.get(Side.JAR.id);
            Result.SideFigures baseJar = b == null ? null : b.sides.get(Side.JAR.id);
            boolean both = jar != null && baseJar != null && baseJar.throughput > 0 && baseJar.p50 > 0;
            md.append("| ").append(s.id).append(" | ").append(s.group.substring("scale-".length())).append(" | ")
                    .append(jar == null ? "—" : num(jar.throughput)).append(" | ")
                    .append(baseJar == null ? "—" : num(baseJar.throughput)).append(" | ")
                    .append(both ? paired(jar.roundThroughput, baseJar.roundThroughput, true) : "—").append(" | ")
                    .append(both ? String.format(Locale.ROOT, "%.2f×", jar.throughput / baseJar.throughput) : "—").append(" | ")
                    .append(jar == null ? "—" : num(jar.p50)).append(" | ").append(baseJar == null ? "—" : num(baseJar.p50))
                    .append(" | ").append(both ? String.format(Locale.ROOT, "%.2f×", jar.p50 / baseJar.p50) : "—")
                    .append(" | ").append(both && jar.roundCpuMsPerOp.size() == jar.roundThroughput.size()
                            && baseJar.roundCpuMsPerOp.size() == baseJar.roundThroughput.size()
                            ? paired(jar.roundCpuMsPerOp, baseJar.roundCpuMsPerOp, false) : "—")
                    .append(" |\n");
        }
    }

    /**
     * Round i of one lane against round i of another (rounds that ran next to each other), as the median over the
     * rounds, with the lowest and highest when there are several, e.g. "1.00× (0.74-1.24)"; "—" without a pair.
     */
    static String paired(List<Double> rounds, List<Double> baseRounds, boolean range) {
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(rounds.size(), baseRounds.size()); i++) {
            Double value = rounds.get(i);
            Double baseValue = baseRounds.get(i);
            if (value != null && baseValue != null && !value.isNaN() && baseValue > 0) {
                ratios.add(value / baseValue);
            }
        }
        if (ratios.isEmpty()) {
            return "—";
        }
        String text = String.format(Locale.ROOT, "%.2f×", Result.median(ratios));
        return range && ratios.size() > 1 ? text + String.format(Locale.ROOT, " (%.2f-%.2f)", Collections.min(ratios),
                Collections.max(ratios)) : text;
    }

    private static String percentiles(Result.SideFigures f) {
        if (f == null) {
            return "—";
        }
        return num(f.p50) + " / " + num(f.p90) + " / " + num(f.p99);
    }

    private static String rounds(Result.SideFigures f) {
        return f == null ? "—" : f.roundThroughput.stream().map(Report::num).collect(Collectors.joining(", "));
    }

    private static String opt(Double value) {
        return value == null ? "—" : num(value);
    }

    static String num(double value) {
        if (Double.isNaN(value)) {
            return "—";
        }
        if (Math.abs(value) >= 100) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        if (Math.abs(value) >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }

    // --- SVG -----------------------------------------------------------------------------------------------------------

    private List<Result.Scenario> measured() {
        return result.scenarios.stream().filter(s -> !s.sides.isEmpty()).collect(Collectors.toList());
    }

    private static final int LABEL = 250;
    private static final int PLOT = 560;
    private static final int WIDTH = LABEL + PLOT + 120;
    private static final int BAR = 13;
    private static final int ROW = 2 * BAR + 12;

    private String throughputChart() {
        List<Result.Scenario> rows = measured();
        double max = rows.stream().flatMap(s -> s.sides.values().stream()).mapToDouble(f -> f.throughput).max().orElse(1);
        max = niceCeiling(max);
        StringBuilder svg = header("Throughput (req/s, median of rounds; higher is better)", rows.size());
        int top = 60;
        for (int i = 0; i <= 5; i++) {
            double value = max * i / 5;
            int x = LABEL + (int) (PLOT * i / 5.0);
            svg.append(line(x, top - 6, x, top + rows.size() * ROW, "#e0e0e0"));
            svg.append(text(x, top - 10, num(value), "middle", 10, "#555"));
        }
        int y = top;
        for (Result.Scenario s : rows) {
            svg.append(text(LABEL - 8, y + BAR + 5, s.id, "end", 11, "#222"));
            int barY = y;
            for (Side side : Side.values()) {
                Result.SideFigures f = s.sides.get(side.id);
                if (f != null) {
                    int w = (int) Math.round(PLOT * f.throughput / max);
                    svg.append(rect(LABEL, barY, Math.max(1, w), BAR, side == Side.STOCK ? STOCK_COLOR : JAR_COLOR, 1));
                    svg.append(text(LABEL + w + 4, barY + BAR - 2, num(f.throughput), "start", 10, "#333"));
                }
                barY += BAR + 1;
            }
            y += ROW;
        }
        return svg.append("</svg>\n").toString();
    }

    private String latencyChart() {
        List<Result.Scenario> rows = measured();
        double max = rows.stream().flatMap(s -> s.sides.values().stream()).mapToDouble(f -> f.p99).max().orElse(10);
        double lo = 1;
        double hi = Math.pow(10, Math.ceil(Math.log10(Math.max(10, max))));
        StringBuilder svg = header("Latency (ms, log scale): p50 solid, p90 and p99 lighter; lower is better", rows.size());
        int top = 60;
        for (double v = lo; v <= hi; v *= 10) {
            int x = LABEL + (int) (PLOT * Math.log10(v / lo) / Math.log10(hi / lo));
            svg.append(line(x, top - 6, x, top + rows.size() * ROW, "#e0e0e0"));
            svg.append(text(x, top - 10, num(v), "middle", 10, "#555"));
        }
        int y = top;
        for (Result.Scenario s : rows) {
            svg.append(text(LABEL - 8, y + BAR + 5, s.id, "end", 11, "#222"));
            int barY = y;
            for (Side side : Side.values()) {
                Result.SideFigures f = s.sides.get(side.id);
                if (f != null) {
                    String color = side == Side.STOCK ? STOCK_COLOR : JAR_COLOR;
                    int x99 = logX(f.p99, lo, hi);
                    int x90 = logX(f.p90, lo, hi);
                    int x50 = logX(f.p50, lo, hi);
                    svg.append(rect(LABEL, barY, Math.max(1, x99 - LABEL), BAR, color, 0.25));
                    svg.append(rect(LABEL, barY, Math.max(1, x90 - LABEL), BAR, color, 0.5));
                    svg.append(rect(LABEL, barY, Math.max(1, x50 - LABEL), BAR, color, 1));
                    svg.append(text(x99 + 4, barY + BAR - 2, num(f.p50) + " / " + num(f.p90) + " / " + num(f.p99),
                            "start", 10, "#333"));
                }
                barY += BAR + 1;
            }
            y += ROW;
        }
        return svg.append("</svg>\n").toString();
    }

    private static int logX(double value, double lo, double hi) {
        double v = Math.max(lo, Math.min(hi, value));
        return LABEL + (int) Math.round(PLOT * Math.log10(v / lo) / Math.log10(hi / lo));
    }

    private StringBuilder header(String title, int rows) {
        int height = 60 + rows * ROW + 40;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\">%n", WIDTH, height, WIDTH, height));
        svg.append(rect(0, 0, WIDTH, height, "#ffffff", 1));
        svg.append(text(10, 20, title + (options.smoke ? " (smoke run)" : ""), "start", 13, "#111"));
        svg.append(rect(LABEL, 28, 12, 10, STOCK_COLOR, 1)).append(text(LABEL + 16, 37, Side.STOCK.label, "start", 11, "#333"));
        svg.append(rect(LABEL + 290, 28, 12, 10, JAR_COLOR, 1)).append(text(LABEL + 306, 37, Side.JAR.label, "start", 11, "#333"));
        var m = result.machine;
        svg.append(text(10, height - 12, String.format(Locale.ROOT, "Keycloak %s, %s CPUs, %d concurrent clients, %d × %s s "
                        + "rounds per side, alternating; %s", m.get("keycloak"), m.get("cpus"), options.concurrency,
                options.rounds, num(options.roundSeconds), m.get("date")), "start", 10, "#666"));
        return svg;
    }

    private static double niceCeiling(double value) {
        if (value <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[]{1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String rect(int x, int y, int w, int h, String color, double opacity) {
        return String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" fill-opacity=\"%.2f\"/>%n",
                x, y, w, h, color, opacity);
    }

    private static String line(int x1, int y1, int x2, int y2, String color) {
        return String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>%n", x1, y1, x2, y2, color);
    }

    private static String text(int x, int y, String text, String anchor, int size, String color) {
        String escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        return String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"%d\" text-anchor=\"%s\" fill=\"%s\">%s</text>%n",
                x, y, size, anchor, color, escaped);
    }
}
