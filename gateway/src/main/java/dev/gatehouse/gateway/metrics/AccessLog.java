package dev.gatehouse.gateway.metrics;

import dev.gatehouse.core.util.Json;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per finished request, through the logger {@code gatehouse.access} (made
 * asynchronous, set up by LoggingConfigurator). {@link #OFF} does nothing, so the proxy never asks "is it on?".
 */
public interface AccessLog {
    AccessLog OFF = entry -> { };

    void log(Entry entry);

    /** What one line says. */
    record Entry(Instant time, String requestId, String clientIp, String peer, String method, String path,
                 int status, long bytes, String upstream, long durationNanos) {
    }

    /** The logger-backed access log. */
    static AccessLog json() {
        Logger log = LoggerFactory.getLogger("gatehouse.access");
        return e -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", e.time().toString());
            m.put("request_id", e.requestId());
            m.put("client_ip", e.clientIp());
            m.put("peer", e.peer());
            m.put("method", e.method());
            m.put("path", e.path());
            m.put("status", e.status());
            m.put("bytes", e.bytes());
            m.put("upstream", e.upstream());
            m.put("duration_ms", Math.round(e.durationNanos() / 1e4) / 100.0);
            log.info(Json.write(m));
        };
    }
}
