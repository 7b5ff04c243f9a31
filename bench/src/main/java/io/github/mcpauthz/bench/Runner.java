package io.github.mcpauthz.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one scenario, or several that take turns (the scale scenario's scales): the workers of each lane (a side of a
 * scenario) are made once, then every round runs, lane after lane, a warm-up (not measured; each worker's first
 * operation checks the result's shape and a failure there stops the benchmark) and a measured period, alternating the
 * lanes' order, so that machine noise falls on all lanes alike. The first round's warm-up is
 * longer by {@code --jit-warmup-seconds}: until the JIT has compiled a scenario's code, a side's throughput still
 * climbs from round to round (on 2 cores, for a minute or two of load), and the first side measured would lose.
 */
final class Runner {

    /** One simulated client; {@code op(true)} also checks what it got (token shape, page, fetch count). */
    interface Worker {
        void op(boolean check);
    }

    /** Makes the workers of one side (may log in, register, ...). */
    interface Workload {
        Worker worker(int index);
    }

    private final Options options;
    /** Each side's Keycloak JVM CPU time in ms (-1 when unknown), read around every measured round. */
    private final Map<Side, java.util.function.LongSupplier> cpuMillis;

    Runner(Options options, Map<Side, java.util.function.LongSupplier> cpuMillis) {
        this.options = options;
        this.cpuMillis = cpuMillis;
    }

    /** One side's workload in one scenario: the unit that takes turns with the others round by round. */
    record Lane(Result.Scenario scenario, Side side, Workload workload) {
    }

    Result.Scenario run(Result.Scenario scenario, Map<Side, Workload> workloads) {
        List<Lane> lanes = new ArrayList<>();
        workloads.forEach((side, workload) -> lanes.add(new Lane(scenario, side, workload)));
        run(lanes);
        return scenario;
    }

    /** {@link #run(List, int, double)} with the options' rounds and round length. */
    void run(List<Lane> lanes) {
        run(lanes, options.rounds, options.roundSeconds);
    }

    /**
     * Runs the lanes' rounds in turn: round 1 in the lanes' order, round 2 in reverse, and so on, so that machine noise
     * falls on every lane alike. Two sides of one scenario are two lanes; the scale scenario adds one lane per side and
     * scale, so that the 10,000-server realm is measured between the rounds of the 10-server one, not half an hour
     * later. In round 1 each side's first lane gets the JIT warm-up: the JIT compiles per JVM, so a side's other lanes
     * (the same code on another realm) start warm and get the plain warm-up, which also loads their realm's caches.
     */
    void run(List<Lane> lanes, int rounds, double roundSeconds) {
        List<List<Worker>> workers = new ArrayList<>();
        for (Lane lane : lanes) {
            List<Worker> list = new ArrayList<>();
            for (int i = 0; i < options.concurrency; i++) {
                list.add(lane.workload().worker(i));
            }
            workers.add(list);
        }
        java.util.Set<Side> jitWarm = java.util.EnumSet.noneOf(Side.class);
        for (int round = 0; round < rounds; round++) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < lanes.size(); i++) {
                order.add(i);
            }
            if (round % 2 == 1) {
                java.util.Collections.reverse(order);
            }
            for (int i : order) {
                Lane lane = lanes.get(i);
                Result.Scenario scenario = lane.scenario();
                Side side = lane.side();
                double warmup = options.warmupSeconds + (jitWarm.add(side) ? options.jitWarmupSeconds : 0);
                Period warm = period(workers.get(i), warmup, true);
                if (warm.firstError.get() != null) {
                    throw new BenchException(scenario.id + " (" + side.id + ") failed its warm-up check: "
                            + warm.firstError.get());
                }
                Result.SideFigures figures = scenario.sides.computeIfAbsent(side.id, k -> new Result.SideFigures());
                java.util.function.LongSupplier cpu = cpuMillis.getOrDefault(side, () -> -1);
                long cpuBefore = cpu.getAsLong();
                Period measured = period(workers.get(i), roundSeconds, false);
                long cpuAfter = cpu.getAsLong();
                double cpuPerOp = cpuBefore < 0 || cpuAfter < 0 || measured.count() == 0 ? Double.NaN
                        : (double) (cpuAfter - cpuBefore) / measured.count();
                figures.add(measured.latencies(), measured.seconds, measured.errors.get(), measured.firstError.get(),
                        cpuPerOp);
                System.out.printf("[bench]   %-28s %-5s round %d: %7.1f req/s  p50 %6.1f ms  cpu %6.1f ms/op  (%d ops, %d errors)%n",
                        scenario.id, side.id, round + 1, measured.count() / measured.seconds,
                        percentile(measured.latencies(), 50), cpuPerOp, measured.count(), measured.errors.get());
            }
        }
        lanes.stream().map(Lane::scenario).distinct().forEach(scenario -> {
            scenario.sides.values().forEach(Result.SideFigures::finish);
            scenario.status = scenario.sides.values().stream().anyMatch(s -> s.errors > 0) ? "errors" : "ok";
        });
    }

    private static final class Period {
        final List<long[]> perThread = new ArrayList<>();
        final int[] sizes;
        final AtomicLong errors = new AtomicLong();
        final AtomicReference<String> firstError = new AtomicReference<>();
        double seconds;

        Period(int threads) {
            sizes = new int[threads];
            for (int i = 0; i < threads; i++) {
                perThread.add(new long[1024]);
            }
        }

        long count() {
            return Arrays.stream(sizes).sum();
        }

        long[] latencies() {
            long[] all = new long[(int) count()];
            int at = 0;
            for (int i = 0; i < sizes.length; i++) {
                System.arraycopy(perThread.get(i), 0, all, at, sizes[i]);
                at += sizes[i];
            }
            Arrays.sort(all);
            return all;
        }
    }

    private Period period(List<Worker> workers, double seconds, boolean checkFirst) {
        int threads = workers.size();
        Period period = new Period(threads);
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(threads);
        long[] begin = new long[1];
        long duration = (long) (seconds * 1e9);
        for (int t = 0; t < threads; t++) {
            int index = t;
            Worker worker = workers.get(t);
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    long deadline = begin[0] + duration;
                    boolean first = checkFirst;
                    while (System.nanoTime() < deadline) {
                        long t0 = System.nanoTime();
                        try {
                            worker.op(first);
                        } catch (RuntimeException e) {
                            period.errors.incrementAndGet();
                            period.firstError.compareAndSet(null, e.getMessage());
                            if (checkFirst) {
                                return;
                            }
                            continue;
                        }
                        first = false;
                        long latency = System.nanoTime() - t0;
                        long[] store = period.perThread.get(index);
                        if (period.sizes[index] == store.length) {
                            store = Arrays.copyOf(store, store.length * 2);
                            period.perThread.set(index, store);
                        }
                        store[period.sizes[index]++] = latency;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            }, "bench-worker-" + t);
            thread.setDaemon(true);
            thread.start();
        }
        begin[0] = System.nanoTime();
        start.countDown();
        try {
            if (!done.await((long) seconds + 300, TimeUnit.SECONDS)) {
                throw new BenchException("workers did not finish within 300 s after their period");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted", e);
        }
        period.seconds = (System.nanoTime() - begin[0]) / 1e9;
        synchronized (period) {
            return period; // the latch orders the workers' writes before this read
        }
    }

    /** Percentile of sorted nanosecond latencies, in ms (nearest rank). */
    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }
}
