package io.github.mcpauthz.demo;

import io.github.mcpauthz.demo.AccessTokenVerifier.VerifiedToken;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpStatelessServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * The demo's tools and the scope each needs: {@code whoami} and {@code read_notes} need {@value Scopes#TOOLS},
 * {@code add_note} needs {@value Scopes#WRITE}, {@code all_notes} needs {@value Scopes#TOOLS} and the role
 * {@value Roles#ADMIN} in the token's {@value Roles#CLAIM} claim. Notes live in memory, per user ({@code sub}), bounded.
 *
 * <p>A missing role is a tool error ({@code isError: true} with the reason), not an HTTP 403: asking the user to
 * authorize again cannot give a role, so the client must not start a step-up (which a 403 {@code insufficient_scope}
 * would), and MCP clients show a tool error to the user and the model, where another 403 ends the call as a transport
 * failure.
 */
final class DemoTools {

    static final String WHOAMI = "whoami";
    static final String READ_NOTES = "read_notes";
    static final String ADD_NOTE = "add_note";
    static final String ALL_NOTES = "all_notes";

    /** Context key of the verified token (put there by the transport's context extractor). */
    static final String TOKEN_KEY = "token";

    private static final Map<String, String> REQUIRED_SCOPES = Map.of(
            WHOAMI, Scopes.TOOLS,
            READ_NOTES, Scopes.TOOLS,
            ADD_NOTE, Scopes.WRITE,
            ALL_NOTES, Scopes.TOOLS);

    /** Tools that also need a role in the token's roles claim. */
    private static final Map<String, String> REQUIRED_ROLES = Map.of(ALL_NOTES, Roles.ADMIN);

    static final int MAX_NOTE_LENGTH = 500;
    static final int MAX_NOTES_PER_USER = 50;
    static final int MAX_USERS = 1000;

    private final Map<String, List<String>> notes = new ConcurrentHashMap<>();

    /** The scope {@code tool} needs, or null for an unknown tool (the MCP handler answers that one). */
    static String requiredScope(String tool) {
        return REQUIRED_SCOPES.get(tool);
    }

    List<SyncToolSpecification> specifications() {
        return List.of(
                tool(WHOAMI, "Who am I?", "Shows the user, the client and the scopes of the access token the call came "
                        + "with. Needs scope " + Scopes.TOOLS + ".", Map.of("type", "object"), this::whoami),
                tool(READ_NOTES, "Read my notes", "Lists the notes you added with add_note. Needs scope "
                        + Scopes.TOOLS + ".", Map.of("type", "object"), this::readNotes),
                tool(ADD_NOTE, "Add a note", "Adds a note (at most " + MAX_NOTE_LENGTH + " characters). Needs scope "
                                + Scopes.WRITE + ": the first call asks you to authorize again.",
                        Map.of("type", "object",
                                "properties", Map.of("text", Map.of("type", "string", "maxLength", MAX_NOTE_LENGTH,
                                        "description", "the note")),
                                "required", List.of("text")),
                        this::addNote),
                tool(ALL_NOTES, "Notes of all users (admin)", "Counts the notes of every user. Needs scope "
                        + Scopes.TOOLS + " and the role " + Roles.ADMIN + " (token claim '" + Roles.CLAIM + "').",
                        Map.of("type", "object"), this::allNotes));
    }

    /** The role {@code tool} needs besides its scope, or null. */
    static String requiredRole(String tool) {
        return REQUIRED_ROLES.get(tool);
    }

    private static SyncToolSpecification tool(String name, String title, String description, Map<String, Object> schema,
                                              BiFunction<VerifiedToken, CallToolRequest, CallToolResult> handler) {
        Tool tool = Tool.builder().name(name).title(title).description(description).inputSchema(schema).build();
        return SyncToolSpecification.builder().tool(tool).callHandler((context, request) -> {
            VerifiedToken token = token(context);
            if (token == null) {
                return error("no verified token");
            }
            // The HTTP filter already answered 403 for a missing scope; this is the second line.
            String needed = REQUIRED_SCOPES.get(name);
            if (!token.scopes().contains(needed)) {
                return error("tool " + name + " needs scope " + needed);
            }
            String role = REQUIRED_ROLES.get(name);
            if (role != null && !Roles.of(token.claims()).contains(role)) {
                return error("forbidden: tool " + name + " needs the role " + role + "; the token's " + Roles.CLAIM
                        + " claim has " + new TreeSet<>(Roles.of(token.claims())) + ". Ask an administrator for the role.");
            }
            return handler.apply(token, request);
        }).build();
    }

    private CallToolResult whoami(VerifiedToken token, CallToolRequest request) {
        // preferred_username is there only when the client asked for scope profile
        Object username = token.claims().getClaim("preferred_username");
        String text = "user " + token.subject() + (username == null ? "" : " (" + username + ")")
                + ", client " + token.clientId() + ", scopes " + new TreeSet<>(token.scopes())
                + ", audience " + token.claims().getAudience();
        return CallToolResult.builder().addTextContent(text).build();
    }

    private CallToolResult readNotes(VerifiedToken token, CallToolRequest request) {
        List<String> mine = notes.getOrDefault(owner(token), List.of());
        List<String> copy;
        synchronized (mine) {
            copy = List.copyOf(mine);
        }
        return CallToolResult.builder().addTextContent(copy.isEmpty() ? "no notes yet"
                : copy.size() + " note(s): " + String.join(" | ", copy)).build();
    }

    private CallToolResult addNote(VerifiedToken token, CallToolRequest request) {
        Object text = request.arguments() == null ? null : request.arguments().get("text");
        if (!(text instanceof String note) || note.isBlank() || note.length() > MAX_NOTE_LENGTH) {
            return error("text must be a non-empty string of at most " + MAX_NOTE_LENGTH + " characters");
        }
        String owner = owner(token);
        if (!notes.containsKey(owner) && notes.size() >= MAX_USERS) {
            return error("the demo keeps notes of at most " + MAX_USERS + " users");
        }
        List<String> mine = notes.computeIfAbsent(owner, key -> new ArrayList<>());
        synchronized (mine) {
            if (mine.size() >= MAX_NOTES_PER_USER) {
                return error("at most " + MAX_NOTES_PER_USER + " notes per user");
            }
            mine.add(note.strip());
            return CallToolResult.builder().addTextContent("added note " + mine.size()).build();
        }
    }

    private CallToolResult allNotes(VerifiedToken token, CallToolRequest request) {
        int count = 0;
        int users = 0;
        for (List<String> mine : notes.values()) {
            synchronized (mine) {
                count += mine.size();
                users += mine.isEmpty() ? 0 : 1;
            }
        }
        return CallToolResult.builder().addTextContent(count + " note(s) of " + users + " user(s)").build();
    }

    private static String owner(VerifiedToken token) {
        return token.subject() != null ? token.subject() : "client:" + token.clientId();
    }

    private static VerifiedToken token(McpTransportContext context) {
        return context == null ? null : context.get(TOKEN_KEY) instanceof VerifiedToken token ? token : null;
    }

    private static CallToolResult error(String text) {
        return CallToolResult.builder().addTextContent(text).isError(true).build();
    }
}
