package dev.gatehouse.gateway.metrics;

import dev.gatehouse.gateway.request.RequestContext;
import java.time.Instant;

/** Where a finished exchange is reported: the metrics and the access log, once per request. */
public final class RequestObserver {
    private final GatewayMetrics metrics;
    private final AccessLog accessLog;

    public RequestObserver(GatewayMetrics metrics, AccessLog accessLog) {
        this.metrics = metrics;
        this.accessLog = accessLog;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    /**
     * @param route    the matched route prefix, "" when none
     * @param status   the status sent, 0 when none was (the connection was cut first)
     * @param upstream the upstream used, or null
     */
    public void finished(RequestContext ctx, String method, String uri, String route, int status, long bytes,
                         String upstream) {
        metrics.request(route, status);
        if (accessLog != AccessLog.OFF) {
            int q = uri.indexOf('?');
            accessLog.log(new AccessLog.Entry(Instant.now(), ctx == null ? null : ctx.requestId(),
                    ctx == null || ctx.client() == null ? null : ctx.client().toString(),
                    ctx == null ? null : ctx.peer().toString(), method, q < 0 ? uri : uri.substring(0, q), status, bytes,
                    upstream, ctx == null ? 0 : System.nanoTime() - ctx.startNanos()));
        }
    }

    public void rejected(String reason) {
        metrics.rejection(reason);
    }

    public void upstreamLatency(String route, long nanos) {
        metrics.upstreamLatency(route, nanos);
    }
}
