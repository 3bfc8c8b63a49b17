package dev.gatehouse.gateway.audit;

/**
 * Where a policy-checked request's audit event goes: the {@link AuditWriter}, or {@link #OFF} when
 * {@code gatehouse.audit.enabled = false}. A null object, as {@code metrics/AccessLog.OFF} is: the request path asks
 * once whether an event is worth building ({@code sink != AuditSink.OFF}) and never whether the writer is there.
 */
public interface AuditSink {
    /** Keeps nothing. */
    AuditSink OFF = new AuditSink() {
        @Override
        public boolean offer(AuditEvent e) {
            return false;
        }

        @Override
        public void aggregate(AuditEvent e) {
        }
    };

    /** Queues an event; never blocks. False when it was dropped. */
    boolean offer(AuditEvent e);

    /** Counts an event into its per-minute aggregate row (the aggregated audit mode); never blocks. */
    void aggregate(AuditEvent e);
}
