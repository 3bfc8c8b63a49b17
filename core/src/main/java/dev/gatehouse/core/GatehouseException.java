package dev.gatehouse.core;

/**
 * A failure that is the operator's to fix, with a message meant to be printed as one line
 * (a bad config key, an unreachable database, a schema newer than this binary...).
 *
 * <p>Entry points print {@link #getMessage()} alone and exit non-zero; the stack trace is only
 * for {@code --verbose}. Anything else that escapes is a bug.
 */
public class GatehouseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GatehouseException(String message) {
        super(message);
    }

    public GatehouseException(String message, Throwable cause) {
        super(message, cause);
    }
}
