package io.github.mcpauthz.bench;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything a run measured; written as results.json, and the source of results.md and the charts. */
@JsonInclude(JsonInclude.Include.NON_NULL)
final class Result {

    public Map<String, Object> machine = new LinkedHashMap<>();
    public Map<String, Object> settings = new LinkedHashMap<>();
    public Map<String, Startup> startup = new LinkedHashMap<>();
    public Map<String, Object> jar = new LinkedHashMap<>();
    public List<Setup> setups = new ArrayList<>();
    public List<Scenario> scenarios = new ArrayList<>();
    public List<String> failures = new ArrayList<>();
    /** What the reader must know that is no failure (e.g. a scale measured on the jar side alone). */
    public List<String> notes = new ArrayList<>();

    /** Start-up of one side: the first start of a fresh copy (includes start-dev's build), then restarts. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    static final class Startup {
        /** Median of {@link #firstStarts}. */
        public Double firstStartSeconds;
        /** Each first start: a fresh database and start-dev's build, the sides taking turns. */
        public List<Double> firstStarts = new ArrayList<>();
        public List<Double> restartSeconds = new ArrayList<>();
        public Double rssAfterStartMiB;
        public Double rssAfterLoadMiB;
    }

    /** Set-up of one realm on one side. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    static final class Setup {
        public String realm;
        public String side;
        public int servers;
        public Double importSeconds;
        public Double enableSeconds;
        public Double addOneServerSeconds;
        /** Jar only: one more server through the admin console's component create ({@code POST .../components}). */
        public Double addOneComponentSeconds;
        public Integer optionalScopesOfNewClient;
        public String status;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    static final class Scenario {
        public String id;
        public String group;
        public String title;
        public String status = "not run";
        public Map<String, SideFigures> sides = new LinkedHashMap<>();
        public Double throughputRatio;
        public Double p50Ratio;

        Scenario() {
        }

        Scenario(String id, String group, String title) {
            this.id = id;
            this.group = group;
            this.title = title;
        }

        void computeRatios() {
            SideFigures stock = sides.get(Side.STOCK.id);
            SideFigures jar = sides.get(Side.JAR.id);
            if (stock != null && jar != null && stock.throughput > 0 && stock.p50 > 0) {
                throughputRatio = round(jar.throughput / stock.throughput, 3);
                p50Ratio = round(jar.p50 / stock.p50, 3);
            }
        }
    }

    /** The median of the values (the mean of the middle two for an even count); NaN for none. */
    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** One side's figures of one scenario: per-round throughput, latency percentiles over all rounds. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    static final class SideFigures {
        public List<Double> roundThroughput = new ArrayList<>();
        /** Median of the rounds' throughputs, requests (operations) per second. */
        public double throughput;
        public long operations;
        public long errors;
        public String firstError;
        public double p50;
        public double p90;
        public double p99;
        public double mean;
        /** Keycloak JVM CPU ms per operation, per round (whole JVM: the load plus any background work). */
        public List<Double> roundCpuMsPerOp = new ArrayList<>();
        /** Median of {@link #roundCpuMsPerOp}; null when unknown. */
        public Double cpuMsPerOp;
        @JsonIgnore
        private final List<long[]> pooled = new ArrayList<>();

        void add(long[] sortedLatencies, double seconds, long errorCount, String error, double cpuPerOp) {
            pooled.add(sortedLatencies);
            if (!Double.isNaN(cpuPerOp)) {
                roundCpuMsPerOp.add(round(cpuPerOp, 2));
            }
            roundThroughput.add(round(sortedLatencies.length / seconds, 1));
            operations += sortedLatencies.length;
            errors += errorCount;
            if (firstError == null) {
                firstError = error;
            }
        }

        void finish() {
            long[] all = pooled.stream().flatMapToLong(Arrays::stream).sorted().toArray();
            p50 = round(Runner.percentile(all, 50), 2);
            p90 = round(Runner.percentile(all, 90), 2);
            p99 = round(Runner.percentile(all, 99), 2);
            mean = all.length == 0 ? 0 : round(Arrays.stream(all).average().orElse(0) / 1e6, 2);
            throughput = roundThroughput.isEmpty() ? 0 : median(roundThroughput);
            cpuMsPerOp = roundCpuMsPerOp.isEmpty() ? null : round(median(roundCpuMsPerOp), 2);
            // pooled stays: a later fork of the scenario adds its rounds, and finish() then covers them all
        }
    }

    static double round(double value, int digits) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return value;
        }
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }
}
