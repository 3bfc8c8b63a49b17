package dev.gatehouse.admin.cli;

/** A usage error found after parsing (a value that parses but makes no sense); exits 2. */
public final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
