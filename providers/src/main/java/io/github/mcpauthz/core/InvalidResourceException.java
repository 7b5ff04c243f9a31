package io.github.mcpauthz.core;

/** A resource indicator that is not a usable MCP server URI; the message is safe to return to clients. */
public class InvalidResourceException extends Exception {
    public InvalidResourceException(String message) {
        super(message, null, false, false);
    }
}
