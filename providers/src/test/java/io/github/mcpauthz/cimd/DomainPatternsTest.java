package io.github.mcpauthz.cimd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class DomainPatternsTest {

    @Test
    void exactAndWildcardDomains() {
        List<String> patterns = List.of("vscode.dev", "*.claude.ai");
        assertTrue(DomainPatterns.matches("vscode.dev", patterns));
        assertTrue(DomainPatterns.matches("VSCode.dev", patterns));
        assertFalse(DomainPatterns.matches("evil-vscode.dev", patterns));
        assertFalse(DomainPatterns.matches("vscode.dev.evil.example", patterns));
        assertTrue(DomainPatterns.matches("api.claude.ai", patterns));
        assertFalse(DomainPatterns.matches("claude.ai", patterns));
        assertFalse(DomainPatterns.matches("notclaude.ai", patterns));
        assertTrue(DomainPatterns.matches("a.example", List.of("x.example##a.example")));
        assertFalse(DomainPatterns.matches("a.example", List.of()));
        assertFalse(DomainPatterns.matches("a.example", null));
    }

    /** {@code host.} is {@code host} to DNS: a trailing dot on either side changes nothing. */
    @Test
    void trailingDotsAreIgnored() {
        assertTrue(DomainPatterns.matches("evil.example.", List.of("evil.example")));
        assertTrue(DomainPatterns.matches("evil.example", List.of("evil.example.")));
        assertTrue(DomainPatterns.matches("api.claude.ai.", List.of("*.claude.ai")));
        assertFalse(DomainPatterns.matches("claude.ai.", List.of("*.claude.ai")));
        assertFalse(DomainPatterns.matches(".", List.of("*.")));
    }
}
