package org.maskpro4j.cli;

/** A mistake the user can fix (bad path, pattern, format or data): one line on stderr and exit code 2. */
public final class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
