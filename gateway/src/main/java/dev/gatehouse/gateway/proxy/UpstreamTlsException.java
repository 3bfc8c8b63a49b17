package dev.gatehouse.gateway.proxy;

import dev.gatehouse.core.route.Upstream;

/**
 * A TLS handshake with an upstream that failed, said in one line for the 502 and the log: which upstream,
 * and the deepest cause's own words (an untrusted chain, a certificate for another name, an expired one,
 * a peer that speaks no TLS, a client certificate refused).
 */
final class UpstreamTlsException extends Exception {
    private static final long serialVersionUID = 1L;

    UpstreamTlsException(Upstream upstream, Throwable cause) {
        super("TLS handshake with " + upstream.authority() + " failed: " + reason(cause), cause, false, false);
    }

    private UpstreamTlsException(String message, Throwable cause) {
        super(message, cause, false, false);
    }

    /**
     * A new TLS connection the upstream closed before answering the request. With TLS 1.3 the client's
     * handshake is over before the server looks at the client certificate, so this is how an upstream that
     * requires one refuses a gateway that shows none, or one it does not trust (the JDK's server closes;
     * others send an alert, whose words are added).
     */
    static UpstreamTlsException closedUnanswered(Upstream upstream, Throwable cause) {
        String alert = null;
        for (Throwable t = cause; t != null && alert == null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                alert = reason(t);
            }
        }
        return new UpstreamTlsException("TLS connection to " + upstream.authority() + " closed by the upstream before"
                + " any answer" + (alert == null ? "" : " (" + alert + ")") + "; an upstream that requires a client"
                + " certificate does this when it gets none it trusts (upstream.tls.certificate-file)", cause);
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
