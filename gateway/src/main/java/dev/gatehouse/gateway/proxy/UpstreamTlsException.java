package dev.gatehouse.gateway.proxy;

import dev.gatehouse.gateway.config.Upstream;

/**
 * A TLS handshake with an upstream that failed, said in one line for the 502 and the log: which upstream,
 * and the deepest cause's own words (an untrusted chain, a certificate for another name, an expired one,
 * a peer that speaks no TLS).
 */
final class UpstreamTlsException extends Exception {
    private static final long serialVersionUID = 1L;

    UpstreamTlsException(Upstream upstream, Throwable cause) {
        super("TLS handshake with " + upstream.authority() + " failed: " + reason(cause), cause, false, false);
    }

    private static String reason(Throwable cause) {
        Throwable deepest = cause;
        while (deepest.getCause() != null && deepest.getCause() != deepest) {
            deepest = deepest.getCause();
        }
        String message = deepest.getMessage();
        if (message == null || message.isBlank()) {
            message = deepest.getClass().getSimpleName();
        }
        return message;
    }
}
