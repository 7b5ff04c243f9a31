package io.github.mcpauthz.audience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.keycloak.models.AuthenticatedClientSessionModel;
import org.keycloak.sessions.AuthenticationSessionModel;

class CodeResourceNotesTest {

    private static final String VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    private static final String SERVER_A = "https://a.example/mcp";
    private static final String SERVER_B = "https://b.example/mcp";

    /** Notes as Keycloak keeps them: the authentication session's client notes are copied to the client session. */
    private final Map<String, String> notes = new HashMap<>();

    @Test
    void theRfc7636ExampleChallenge() {
        assertEquals("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", CodeResourceNotes.s256(VERIFIER));
    }

    @Test
    void eachCodeGetsTheResourceOfItsOwnRequestOnce() {
        CodeResourceNotes.write(authSession(), CodeResourceNotes.s256(VERIFIER), SERVER_A, 1000);
        CodeResourceNotes.write(authSession(), CodeResourceNotes.s256("another-verifier-another-verifier-another-v"), SERVER_B, 1001);
        CodeResourceNotes.Bound bound = CodeResourceNotes.take(clientSession(), VERIFIER, 1002, 600);
        assertTrue(bound.found());
        assertEquals(SERVER_A, bound.resource());
        // Read once: the same verifier finds nothing the second time; the other request's note stays.
        assertFalse(CodeResourceNotes.take(clientSession(), VERIFIER, 1003, 600).found());
        assertEquals(SERVER_B, CodeResourceNotes.take(clientSession(),
                "another-verifier-another-verifier-another-v", 1004, 600).resource());
    }

    @Test
    void aWrongVerifierFindsNothing() {
        CodeResourceNotes.write(authSession(), CodeResourceNotes.s256(VERIFIER), SERVER_A, 1000);
        assertFalse(CodeResourceNotes.take(clientSession(), VERIFIER + "x", 1001, 600).found());
    }

    @Test
    void thePlainMethodIsKeyedByTheVerifierItself() {
        CodeResourceNotes.write(authSession(), VERIFIER, SERVER_A, 1000);
        assertEquals(SERVER_A, CodeResourceNotes.take(clientSession(), VERIFIER, 1001, 600).resource());
    }

    @Test
    void withoutPkceTheLastFinishedAuthorizationWins() {
        CodeResourceNotes.write(authSession(), null, SERVER_A, 1000);
        CodeResourceNotes.write(authSession(), null, SERVER_B, 1001);
        assertEquals(SERVER_B, CodeResourceNotes.take(clientSession(), null, 1002, 600).resource());
        assertFalse(CodeResourceNotes.take(clientSession(), null, 1003, 600).found());
    }

    @Test
    void aRequestWithoutResourceBindsNone() {
        CodeResourceNotes.write(authSession(), CodeResourceNotes.s256(VERIFIER), null, 1000);
        CodeResourceNotes.Bound bound = CodeResourceNotes.take(clientSession(), VERIFIER, 1001, 600);
        assertTrue(bound.found());
        assertNull(bound.resource());
    }

    @Test
    void notesOfCodesNeverExchangedArePrunedByAge() {
        CodeResourceNotes.write(authSession(), "old-challenge", SERVER_A, 1000);
        CodeResourceNotes.write(authSession(), "fresh-challenge", SERVER_B, 1500);
        notes.put("unrelated", "kept");
        CodeResourceNotes.take(clientSession(), VERIFIER, 1700, 600);
        assertFalse(notes.containsKey(CodeResourceNotes.PREFIX + "old-challenge"));
        assertTrue(notes.containsKey(CodeResourceNotes.PREFIX + "fresh-challenge"));
        assertEquals("kept", notes.get("unrelated"));
    }

    @Test
    void unreadableNotesCountAsOldAndEmpty() {
        assertEquals(0, CodeResourceNotes.writtenAt("garbage"));
        assertEquals(0, CodeResourceNotes.writtenAt(null));
        assertNull(CodeResourceNotes.resourceOf("garbage"));
        assertEquals("https://a.example:8443/mcp", CodeResourceNotes.resourceOf("12:https://a.example:8443/mcp"));
    }

    private AuthenticationSessionModel authSession() {
        return (AuthenticationSessionModel) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {AuthenticationSessionModel.class}, (proxy, method, args) -> {
                    if (method.getName().equals("setClientNote")) {
                        notes.put((String) args[0], (String) args[1]);
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private AuthenticatedClientSessionModel clientSession() {
        return (AuthenticatedClientSessionModel) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {AuthenticatedClientSessionModel.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getNote" -> notes.get((String) args[0]);
                    case "removeNote" -> notes.remove((String) args[0]);
                    case "getNotes" -> new HashMap<>(notes);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
