package io.github.mcpauthz.cimd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class FetchLimiterTest {

    @Test
    void perHostBoundRefusesTheExcessAtOnce() {
        FetchLimiter limiter = new FetchLimiter();
        FetchLimiter.Permit first = limiter.tryAcquire("a.example", 10, 2);
        FetchLimiter.Permit second = limiter.tryAcquire("a.example", 10, 2);
        assertNotNull(first);
        assertNotNull(second);
        assertNull(limiter.tryAcquire("a.example", 10, 2));
        assertNotNull(limiter.tryAcquire("b.example", 10, 2), "another host is not affected");
        assertEquals(3, limiter.running());

        first.close();
        first.close(); // a second close gives nothing back twice
        assertEquals(1, limiter.running("a.example"));
        assertNotNull(limiter.tryAcquire("a.example", 10, 2));
    }

    @Test
    void overallBoundRefusesTheExcessAtOnce() {
        FetchLimiter limiter = new FetchLimiter();
        FetchLimiter.Permit a = limiter.tryAcquire("a.example", 2, 5);
        FetchLimiter.Permit b = limiter.tryAcquire("b.example", 2, 5);
        assertNull(limiter.tryAcquire("c.example", 2, 5));
        assertEquals(0, limiter.running("c.example"), "a refused fetch leaves no count behind");
        assertEquals(2, limiter.running());
        a.close();
        b.close();
        assertEquals(0, limiter.running());
        assertEquals(0, limiter.running("a.example"));
    }
}
