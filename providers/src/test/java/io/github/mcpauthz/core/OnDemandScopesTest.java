package io.github.mcpauthz.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.keycloak.models.ModelDuplicateException;

/**
 * The on-demand creation rule of {@link OnDemandScopes#createOrRead}, against a stand-in for the database: a map whose
 * insert fails on an existing key, as the client scope table's primary key does.
 */
class OnDemandScopesTest {

    /** The committed client scopes: id to scope. */
    private final Map<String, Object> table = new ConcurrentHashMap<>();
    private final AtomicInteger inserts = new AtomicInteger();

    private Runnable insert(String id, Object scope) {
        return () -> {
            if (table.putIfAbsent(id, scope) != null) {
                throw new ModelDuplicateException("duplicate key " + id);
            }
            inserts.incrementAndGet();
        };
    }

    @Test
    void theFirstCreatorGetsTheScopeItCreated() {
        Object mine = new Object();
        assertSame(mine, OnDemandScopes.createOrRead(insert("id-1", mine), () -> table.get("id-1"), "s1:read"));
        assertEquals(1, inserts.get());
    }

    @Test
    void aSecondCreatorGetsTheExistingScope() {
        Object winner = new Object();
        OnDemandScopes.createOrRead(insert("id-1", winner), () -> table.get("id-1"), "s1:read");

        Object loser = new Object();
        Object got = OnDemandScopes.createOrRead(insert("id-1", loser), () -> table.get("id-1"), "s1:read");

        assertSame(winner, got);
        assertEquals(1, inserts.get());
        assertEquals(Map.of("id-1", winner), table);
    }

    @Test
    void creatorsRacingAtOnceAllGetTheOneScopeThatWasCreated() throws Exception {
        int creators = 8;
        CyclicBarrier start = new CyclicBarrier(creators);
        ExecutorService pool = Executors.newFixedThreadPool(creators);
        try {
            List<Future<Object>> results = new java.util.ArrayList<>();
            for (int i = 0; i < creators; i++) {
                Object mine = new Object();
                results.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return OnDemandScopes.createOrRead(insert("id-1", mine), () -> table.get("id-1"), "s1:read");
                }));
            }
            Object committed = null;
            for (Future<Object> result : results) {
                Object got = result.get(10, TimeUnit.SECONDS);
                committed = committed == null ? table.get("id-1") : committed;
                assertSame(committed, got);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, inserts.get());
        assertEquals(1, table.size());
    }

    @Test
    void aFailureThatLeavesNoScopeIsPassedOn() {
        IllegalStateException failure = new IllegalStateException("database down");
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> OnDemandScopes.createOrRead(() -> {
                    throw failure;
                }, () -> null, "s1:read"));
        assertSame(failure, thrown);
    }

    @Test
    void aScopeThatCannotBeReadAfterItsCreationIsAnError() {
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> OnDemandScopes.createOrRead(() -> { }, () -> null, "s1:read"));
        assertEquals("client scope s1:read was created but cannot be read", thrown.getMessage());
    }
}
