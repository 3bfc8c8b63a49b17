package dev.gatehouse.gateway.metrics;

import dev.gatehouse.core.policy.AuditMode;
import dev.gatehouse.core.route.Upstream;
import dev.gatehouse.gateway.audit.AuditEvent;
import dev.gatehouse.gateway.audit.AuditSink;
import dev.gatehouse.gateway.audit.EventIds;
import dev.gatehouse.gateway.request.Identity;
import dev.gatehouse.gateway.request.RequestContext;
import io.netty.handler.codec.http.HttpRequest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Where a finished exchange is reported, once per request: the metrics, the access log, and, for a
 * policy-checked request, the audit log.
 */
public final class RequestObserver {
    static final int MAX_USER_AGENT = 512;
    static final int MAX_PATH = 2048;

    private final RequestMeters metrics;
    private final AccessLog accessLog;
    private final AuditSink audit;

    /** @param audit {@link AuditSink#OFF} when there is no audit log */
    public RequestObserver(RequestMeters metrics, AccessLog accessLog, AuditSink audit) {
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.audit = audit;
    }

    /**
     * @param request  the client's request head, or null when it could not be parsed (method and URI are read
     *                 from it; its headers may have become the upstream request's)
     * @param userAgent the client's User-Agent as it arrived, or null
     * @param route    the matched route's label (its prefix, or host and prefix), "" when none
     * @param status   the status sent, 0 when none was (the connection was cut first)
     * @param upstream the upstream used, or null
     */
    public void finished(RequestContext ctx, HttpRequest request, String userAgent, String route, int status, long bytes,
                         Upstream upstream) {
        metrics.request(route, status);
        boolean audited = audit != AuditSink.OFF && ctx != null && ctx.policyChecked() && ctx.client() != null;
        if (accessLog == AccessLog.OFF && !audited) {
            return; // the common case without access log: nothing more to build
        }
        String method = request == null ? "-" : request.method().name();
        String uri = request == null ? "-" : request.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        if (accessLog != AccessLog.OFF) {
            accessLog.log(new AccessLog.Entry(Instant.now(), ctx == null ? null : ctx.requestId(),
                    ctx == null || ctx.client() == null ? null : ctx.client().toString(),
                    ctx == null ? null : ctx.peer().toString(), method, path, status, bytes,
                    upstream == null ? null : upstream.authority(), ctx == null ? 0 : System.nanoTime() - ctx.startNanos()));
        }
        if (audited) {
            Identity who = ctx.identity();
            AuditMode mode = who == null || who.org() == null ? AuditMode.FULL : who.org().auditMode(who.appId());
            if (mode == AuditMode.OFF) {
                return;
            }
            boolean allowed = ctx.denial() == null && ctx.decision() != null && ctx.decision().allowed();
            AuditEvent event = AuditEvent.request(Instant.now().truncatedTo(ChronoUnit.MICROS), EventIds.next(),
                    who == null || who.org() == null ? null : who.org().id(), who == null ? null : who.appId(),
                    who == null || who.account() == null ? null : who.account().id(), ctx.client(), ctx.peer(), method,
                    truncate(path, MAX_PATH), status, allowed ? "allow" : "deny",
                    ctx.decision() == null ? null : ctx.decision().policyId(), truncate(userAgent, MAX_USER_AGENT),
                    ctx.requestId());
            if (mode == AuditMode.AGGREGATED) {
                audit.aggregate(event);
            } else {
                audit.offer(event);
            }
        }
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    public void rejected(String reason) {
        metrics.rejection(reason);
    }

    public void upstreamLatency(String route, long nanos) {
        metrics.upstreamLatency(route, nanos);
    }

    public void upstreamCookiesDropped(String route, int count) {
        metrics.upstreamCookiesDropped(route, count);
    }
}
