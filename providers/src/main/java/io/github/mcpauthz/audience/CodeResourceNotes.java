package io.github.mcpauthz.audience;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.keycloak.models.AuthenticatedClientSessionModel;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * Binds the {@code resource} of an authorization request to the authorization code it ends in, on Keycloak releases
 * whose code does not carry it (before 26.6, see {@code KeycloakCompat.Capability#TOKEN_POST_PROCESSOR}).
 *
 * <p>At the authorization request the {@code mcp-authorization-checks} executor writes an authentication-session note
 * keyed by the request's PKCE {@code code_challenge}: {@code mcp.code-resource.<challenge>} = {@code <epoch
 * seconds>:<resource>} (empty resource: none). Keycloak copies the notes to the client session when login and consent
 * are done, just before it issues the code. At the code exchange, after Keycloak has checked the
 * {@code code_verifier} against the code's challenge, the note of that challenge is read and removed: the token gets
 * exactly the resource of the request its code came from, even when the same user and client have several
 * authorizations in flight. A client cannot write the note of another request: only a finished login (with consent)
 * copies it.
 *
 * <p>Without PKCE (only clients an admin registered: dynamic clients must use S256) the note is
 * {@code mcp.code-resource.} (no challenge): the resource of the <em>last</em> finished authorization of this client in
 * this user session, read and removed at the exchange. Two codes in flight without PKCE: the first exchange gets the
 * later request's resource (one the user consented to for this client), the second none.
 *
 * <p>Notes of codes never exchanged are pruned at each exchange once older than the login lifespan plus the code
 * lifespan.
 */
final class CodeResourceNotes {

    static final String PREFIX = "mcp.code-resource.";

    private CodeResourceNotes() {
    }

    /** At the authorization request: the note for its code. */
    static void write(AuthenticationSessionModel authSession, String codeChallenge, String resource, long nowSeconds) {
        authSession.setClientNote(PREFIX + (codeChallenge == null ? "" : codeChallenge),
                nowSeconds + ":" + (resource == null ? "" : resource));
    }

    /** What {@link #take} found: whether a note was there, and its resource (null: the request named none). */
    record Bound(boolean found, String resource) {
        static final Bound NONE = new Bound(false, null);
    }

    /**
     * At the code exchange (the verifier already checked by Keycloak): the resource of the code's request, read and
     * removed; notes older than {@code maxAgeSeconds} are removed too.
     */
    static Bound take(AuthenticatedClientSessionModel clientSession, String codeVerifier, long nowSeconds, long maxAgeSeconds) {
        if (clientSession == null) {
            return Bound.NONE;
        }
        List<String> keys = new ArrayList<>();
        if (codeVerifier == null || codeVerifier.isEmpty()) {
            keys.add(PREFIX);
        } else {
            keys.add(PREFIX + s256(codeVerifier)); // S256 (every dynamic client)
            keys.add(PREFIX + codeVerifier);       // plain
        }
        Bound bound = Bound.NONE;
        for (String key : keys) {
            String note = clientSession.getNote(key);
            if (note != null) {
                bound = new Bound(true, resourceOf(note));
                remove(clientSession, key);
                break;
            }
        }
        prune(clientSession, nowSeconds, maxAgeSeconds);
        return bound;
    }

    private static void prune(AuthenticatedClientSessionModel clientSession, long nowSeconds, long maxAgeSeconds) {
        Map<String, String> notes;
        try {
            notes = clientSession.getNotes();
        } catch (RuntimeException gone) {
            return;
        }
        if (notes == null) {
            return;
        }
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, String> note : notes.entrySet()) {
            if (note.getKey().startsWith(PREFIX) && nowSeconds - writtenAt(note.getValue()) > maxAgeSeconds) {
                stale.add(note.getKey());
            }
        }
        stale.forEach(key -> remove(clientSession, key));
    }

    /**
     * Removes a note; never fails the token request. (A first offline token is issued after Keycloak removed the online
     * session the code came from: the note has been read, and goes with that session.)
     */
    private static void remove(AuthenticatedClientSessionModel clientSession, String key) {
        try {
            clientSession.removeNote(key);
        } catch (RuntimeException gone) {
            // The session is gone already.
        }
    }

    static String resourceOf(String note) {
        int colon = note.indexOf(':');
        String resource = colon < 0 ? "" : note.substring(colon + 1);
        return resource.isEmpty() ? null : resource;
    }

    static long writtenAt(String note) {
        int colon = note == null ? -1 : note.indexOf(':');
        try {
            return colon < 0 ? 0 : Long.parseLong(note.substring(0, colon));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The S256 code challenge of {@code verifier} (RFC 7636 4.2). */
    static String s256(String verifier) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
