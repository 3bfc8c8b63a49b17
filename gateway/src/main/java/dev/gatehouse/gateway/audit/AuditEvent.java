package dev.gatehouse.gateway.audit;

import dev.gatehouse.core.net.IpAddress;
import java.time.Instant;
import java.util.UUID;

/**
 * One access_events row. {@code eventId} makes writing it idempotent: a batch replayed from the
 * spool after a crash is inserted once (the replay skips an event whose (org_id, ts, event_id) is
 * there). The addresses stay numbers until the writer thread encodes them: nothing is printed on an
 * event loop.
 */
public record AuditEvent(Instant ts, UUID eventId, UUID orgId, UUID appId, UUID accountId, IpAddress clientIp,
                         IpAddress peerIp, String method, String path, int status, String decision, UUID policyId,
                         String userAgent, String requestId, String eventType, int count) {

    /** A row for one request. */
    public static AuditEvent request(Instant ts, UUID eventId, UUID orgId, UUID appId, UUID accountId, IpAddress clientIp,
                                     IpAddress peerIp, String method, String path, int status, String decision,
                                     UUID policyId, String userAgent, String requestId) {
        return new AuditEvent(ts, eventId, orgId, appId, accountId, clientIp, peerIp, method, path, status, decision,
                policyId, userAgent, requestId, "request", 1);
    }
}
