package io.github.mcpauthz.cimd;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds how many metadata documents this Keycloak node fetches at the same time, overall and per host. A fetch
 * beyond a bound is refused at once (no queueing), so a slow or hostile document host can hold at most that many
 * worker threads. The counts are per node and shared by all realms; each realm's executor compares them with its
 * own limits.
 */
final class FetchLimiter {

    /** The node-wide limiter. */
    static final FetchLimiter SHARED = new FetchLimiter();

    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<String, AtomicInteger> perHost = new ConcurrentHashMap<>();

    /** A fetch slot; closing it gives the slot back (once). */
    final class Permit implements AutoCloseable {
        private final String host;
        private boolean closed;

        private Permit(String host) {
            this.host = host;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                release(host);
            }
        }
    }

    /** A permit, or null when {@code maxTotal} fetches overall or {@code maxPerHost} for {@code host} are running. */
    Permit tryAcquire(String host, int maxTotal, int maxPerHost) {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return null;
        }
        boolean[] admitted = new boolean[1];
        perHost.compute(host, (key, count) -> {
            AtomicInteger c = count == null ? new AtomicInteger() : count;
            if (c.get() < maxPerHost) {
                c.incrementAndGet();
                admitted[0] = true;
            }
            return c.get() == 0 ? null : c;
        });
        if (!admitted[0]) {
            total.decrementAndGet();
            return null;
        }
        return new Permit(host);
    }

    private void release(String host) {
        perHost.computeIfPresent(host, (key, count) -> count.decrementAndGet() <= 0 ? null : count);
        total.decrementAndGet();
    }

    int running() {
        return total.get();
    }

    int running(String host) {
        AtomicInteger count = perHost.get(host);
        return count == null ? 0 : count.get();
    }
}
