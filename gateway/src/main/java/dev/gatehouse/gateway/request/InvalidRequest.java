package dev.gatehouse.gateway.request;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request the edge refuses before anything else looks at it ({@link RequestValidator}): set as the head's decoder
 * failure, answered with {@link #answer()} ({@link #status()} and {@link #getMessage()}) and counted under
 * {@link #reason()}; the connection is closed after the answer.
 */
public final class InvalidRequest extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** What was wrong, as a status and a metric label. */
    public enum Kind {
        HTTP_VERSION(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "http_version"),
        TARGET(HttpResponseStatus.BAD_REQUEST, "invalid_target"),
        HOST(HttpResponseStatus.BAD_REQUEST, "invalid_host"),
        FRAMING(HttpResponseStatus.BAD_REQUEST, "invalid_framing"),
        METHOD(HttpResponseStatus.BAD_REQUEST, "invalid_method"),
        TRANSFER_CODING(HttpResponseStatus.NOT_IMPLEMENTED, "transfer_coding");

        private final HttpResponseStatus status;
        private final String reason;

        Kind(HttpResponseStatus status, String reason) {
            this.status = status;
            this.reason = reason;
        }
    }

    private final Kind kind;

    InvalidRequest(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public HttpResponseStatus status() {
        return kind.status;
    }

    public String reason() {
        return kind.reason;
    }

    /** The gateway's JSON error for it. */
    public LocalAnswer answer() {
        return LocalAnswer.error(kind.status, getMessage(), kind.reason);
    }
}
