package dev.gatehouse.core.net;

/** Text that is not an acceptable IP address or network, with the reason. */
public final class InvalidAddressException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String text;
    private final String reason;

    public InvalidAddressException(String text, String reason) {
        super("'" + text + "' is not a valid address: " + reason);
        this.text = text;
        this.reason = reason;
    }

    public String text() {
        return text;
    }

    public String reason() {
        return reason;
    }
}
