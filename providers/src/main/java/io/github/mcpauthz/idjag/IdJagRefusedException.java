package io.github.mcpauthz.idjag;

/** An ID-JAG token request refused: an OAuth error code and its description. */
final class IdJagRefusedException extends Exception {

    private final String error;

    IdJagRefusedException(String error, String description) {
        super(description, null, false, false);
        this.error = error;
    }

    String error() {
        return error;
    }
}
