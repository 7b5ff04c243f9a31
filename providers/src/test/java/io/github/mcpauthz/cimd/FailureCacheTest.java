package io.github.mcpauthz.cimd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class FailureCacheTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final FailureCache.Failure failure = new FailureCache.Failure("invalid_client_metadata", "HTTP 500");

    @Test
    void remembersAFailureForItsLifetimeOnly() {
        FailureCache cache = new FailureCache(now::get, 10);
        cache.put("realm", "https://a.example/c.json", failure, 30);

        assertEquals(failure, cache.get("realm", "https://a.example/c.json").orElseThrow());
        assertTrue(cache.get("other-realm", "https://a.example/c.json").isEmpty(), "per realm");
        now.addAndGet(29_999);
        assertTrue(cache.get("realm", "https://a.example/c.json").isPresent());
        now.addAndGet(1);
        assertTrue(cache.get("realm", "https://a.example/c.json").isEmpty());
        assertEquals(0, cache.size());
    }

    @Test
    void zeroSecondsRemembersNothing() {
        FailureCache cache = new FailureCache(now::get, 10);
        cache.put("realm", "https://a.example/c.json", failure, 0);
        assertTrue(cache.get("realm", "https://a.example/c.json").isEmpty());
    }

    @Test
    void staysBounded() {
        FailureCache cache = new FailureCache(now::get, 2);
        cache.put("r", "https://a.example/1", failure, 10);
        cache.put("r", "https://a.example/2", failure, 20);
        cache.put("r", "https://a.example/3", failure, 10);
        assertEquals(2, cache.size());
        assertTrue(cache.get("r", "https://a.example/3").isEmpty(), "full: not remembered");

        now.addAndGet(10_000);
        cache.put("r", "https://a.example/4", failure, 10);
        assertTrue(cache.get("r", "https://a.example/4").isPresent(), "expired entries made room");
        assertTrue(cache.get("r", "https://a.example/1").isEmpty());
    }
}
