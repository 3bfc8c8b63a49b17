package dev.gatehouse.gateway.audit;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * How the spool is replayed into {@code access_events}: one INSERT per batch, its columns sent as arrays, that
 * skips the events already there — so a batch whose COPY committed but whose answer was lost is not written
 * twice. Slower than the writer's binary COPY ({@link CopyBinary}), and only for replays.
 */
final class ReplayInsert {
    private ReplayInsert() {
    }

    /**
     * The replay: idempotent without a unique key (V2 dropped it; every row paid for it). A row already there —
     * its COPY committed but the answer was lost — is found by probing the (org_id, ts) index per event; the
     * second probe, for events with no organisation, runs only for those.
     */
    static final String SQL = "INSERT INTO access_events (ts, event_id, org_id, app_id, account_id, client_ip, peer_ip,"
            + " method, path, status, decision, policy_id, user_agent, request_id, event_type, event_count)"
            + " SELECT * FROM unnest(?::text[]::timestamptz[], ?::uuid[], ?::uuid[], ?::uuid[], ?::uuid[], ?::text[]::inet[],"
            + " ?::text[]::inet[], ?::text[], ?::text[], ?::int4[]::int2[], ?::text[], ?::uuid[], ?::text[], ?::text[],"
            + " ?::text[], ?::int4[]) AS u (ts, event_id, org_id, app_id, account_id, client_ip, peer_ip, method, path,"
            + " status, decision, policy_id, user_agent, request_id, event_type, event_count)"
            + " WHERE NOT EXISTS (SELECT 1 FROM access_events a"
            + " WHERE a.org_id = u.org_id AND a.ts = u.ts AND a.event_id = u.event_id)"
            + " AND NOT EXISTS (SELECT 1 FROM access_events a"
            + " WHERE u.org_id IS NULL AND a.org_id IS NULL AND a.ts = u.ts AND a.event_id = u.event_id)";

    /** Writes the batch, skipping what is already in; returns the rows inserted. The caller commits (autocommit). */
    static int run(Connection c, List<AuditEvent> batch) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SQL)) {
            bind(c, ps, batch);
            return ps.executeUpdate();
        }
    }

    /** Sets {@link #SQL}'s sixteen parameters: one array per column. */
    static void bind(Connection c, PreparedStatement ps, List<AuditEvent> batch) throws SQLException {
        int n = batch.size();
        String[] ts = new String[n]; // ISO-8601 in UTC: an instant whatever the JVM's or the session's zone
        UUID[] id = new UUID[n];
        UUID[] org = new UUID[n];
        UUID[] app = new UUID[n];
        UUID[] account = new UUID[n];
        String[] client = new String[n];
        String[] peer = new String[n];
        String[] method = new String[n];
        String[] path = new String[n];
        Integer[] status = new Integer[n];
        String[] decision = new String[n];
        UUID[] policy = new UUID[n];
        String[] agent = new String[n];
        String[] request = new String[n];
        String[] type = new String[n];
        Integer[] count = new Integer[n];
        for (int i = 0; i < n; i++) {
            AuditEvent e = batch.get(i);
            ts[i] = e.ts().toString();
            id[i] = e.eventId();
            org[i] = e.orgId();
            app[i] = e.appId();
            account[i] = e.accountId();
            client[i] = e.clientIp().toString();
            peer[i] = e.peerIp() == null ? null : e.peerIp().toString();
            method[i] = StoredText.of(e.method());
            path[i] = StoredText.of(e.path());
            status[i] = e.status() == 0 ? null : e.status();
            decision[i] = e.decision();
            policy[i] = e.policyId();
            agent[i] = StoredText.of(e.userAgent());
            request[i] = StoredText.of(e.requestId());
            type[i] = e.eventType();
            count[i] = e.count();
        }
        Array[] arrays = {c.createArrayOf("text", ts), c.createArrayOf("uuid", id), c.createArrayOf("uuid", org),
                c.createArrayOf("uuid", app), c.createArrayOf("uuid", account), c.createArrayOf("text", client),
                c.createArrayOf("text", peer), c.createArrayOf("text", method), c.createArrayOf("text", path),
                c.createArrayOf("int4", status), c.createArrayOf("text", decision), c.createArrayOf("uuid", policy),
                c.createArrayOf("text", agent), c.createArrayOf("text", request), c.createArrayOf("text", type),
                c.createArrayOf("int4", count)};
        for (int i = 0; i < arrays.length; i++) {
            ps.setArray(i + 1, arrays[i]);
        }
    }
}
