package dev.gatehouse.gateway.request;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request refused before it reaches the upstream; answered by {@link LocalAnswer#denied}.
 *
 * @param status       401 (identity), 403 (policy or organisation), 503 (no policy snapshot yet...)
 * @param error        the message for the client (never the policy's contents)
 * @param reason       the metric label
 * @param policyDenial true for a network-policy denial: the response names the client IP, and a browser gets a page
 */
public record Denial(HttpResponseStatus status, String error, String reason, boolean policyDenial) {

    public static Denial unauthorized(String error, String reason) {
        return new Denial(HttpResponseStatus.UNAUTHORIZED, error, reason, false);
    }

    public static Denial unavailable(String error, String reason) {
        return new Denial(HttpResponseStatus.SERVICE_UNAVAILABLE, error, reason, false);
    }

    public static final Denial POLICY = new Denial(HttpResponseStatus.FORBIDDEN,
            "access from this IP address is blocked by your organisation's network access policy", "policy_denied", true);
}
