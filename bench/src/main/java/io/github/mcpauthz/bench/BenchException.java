package io.github.mcpauthz.bench;

/** A functional failure: the benchmark stops (or counts an error) rather than report a figure for the wrong thing. */
final class BenchException extends RuntimeException {

    BenchException(String message) {
        super(message);
    }

    BenchException(String message, Throwable cause) {
        super(message, cause);
    }
}
