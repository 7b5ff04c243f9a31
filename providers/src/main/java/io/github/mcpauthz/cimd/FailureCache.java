package io.github.mcpauthz.cimd;

import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Remembers for a short time why a client_id URL failed (could not be fetched, or its document was invalid), so
 * that requests naming the same bad URL get the same answer at once instead of another fetch. Per node; keyed by
 * realm and URL, because the realms' settings differ. Bounded: when full, expired entries go first, and if none has
 * expired the new failure is simply not remembered.
 */
final class FailureCache {

    static final int MAX_ENTRIES = 10_000;

    /** The node-wide cache. */
    static final FailureCache SHARED = new FailureCache(System::currentTimeMillis, MAX_ENTRIES);

    /** The answer that was given: an OAuth error code and a description safe to show. */
    record Failure(String error, String description) {
    }

    private record Entry(Failure failure, long expiresAtMillis) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final LongSupplier clock;
    private final int maxEntries;

    FailureCache(LongSupplier clock, int maxEntries) {
        this.clock = clock;
        this.maxEntries = maxEntries;
    }

    Optional<Failure> get(String realmId, String url) {
        String key = key(realmId, url);
        Entry entry = entries.get(key);
        if (entry == null) {
            return Optional.empty();
        }
        if (clock.getAsLong() >= entry.expiresAtMillis()) {
            entries.remove(key, entry);
            return Optional.empty();
        }
        return Optional.of(entry.failure());
    }

    void put(String realmId, String url, Failure failure, int seconds) {
        if (seconds <= 0) {
            return;
        }
        long now = clock.getAsLong();
        if (entries.size() >= maxEntries) {
            for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
                if (now >= it.next().expiresAtMillis()) {
                    it.remove();
                }
            }
            if (entries.size() >= maxEntries) {
                return;
            }
        }
        entries.put(key(realmId, url), new Entry(failure, now + seconds * 1000L));
    }

    void forget(String realmId, String url) {
        entries.remove(key(realmId, url));
    }

    int size() {
        return entries.size();
    }

    private static String key(String realmId, String url) {
        return realmId + ' ' + url;
    }
}
