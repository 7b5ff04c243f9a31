package io.github.mcpauthz.exchange;

/** A token exchange the registry does not allow: an RFC 8693 / RFC 6749 error code and its description. */
final class ExchangeRefusedException extends Exception {

    private final String error;

    ExchangeRefusedException(String error, String description) {
        super(description, null, false, false);
        this.error = error;
    }

    String error() {
        return error;
    }
}
