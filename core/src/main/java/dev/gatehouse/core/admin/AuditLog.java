package dev.gatehouse.core.admin;

import dev.gatehouse.core.net.Cidr;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Reading the audit log back — "why was I denied" without SQL. Every query names an organisation and a time window,
 * so it walks the (org_id, ts) index of the partitions the window covers, newest first.
 */
public final class AuditLog {
    /** What to look for: the organisation is required, everything else narrows. */
    public record Query(String org, String app, String account, Cidr network, String decision, Instant since,
                        String requestId, int limit) {
    }

    /** An access event (or a per-minute aggregate of them: {@code count} > 1). */
    public record Event(Instant time, String clientIp, String decision, Integer status, String method, String path,
                        String app, String account, String policy, long count, String requestId, String peer,
                        String userAgent) {
    }

    /** A sign-in, a refused one (with the reason) or a sign-out. */
    public record SignInEvent(Instant time, String event, String email, String account, String provider,
                              String clientIp, String reason) {
    }

    private final DataSource ds;

    public AuditLog(DataSource ds) {
        this.ds = ds;
    }

    /** The matching events, newest first (at most {@code limit}). */
    public List<Event> search(Query q) {
        return Tx.run(ds, c -> {
            UUID org = Lookup.org(c, q.org());
            UUID app = q.app() == null ? null : Lookup.app(c, org, q.org(), q.app());
            UUID account = q.account() == null ? null : Lookup.account(c, org, q.org(), q.account());
            return Rows.list(c, Event.class, SELECT + " WHERE e.org_id = ? AND e.ts >= ?"
                    + " AND (?::uuid IS NULL OR e.app_id = ?::uuid) AND (?::uuid IS NULL OR e.account_id = ?::uuid)"
                    + " AND (?::cidr IS NULL OR e.client_ip <<= ?::cidr) AND (?::text IS NULL OR e.decision = ?)"
                    + " AND (?::text IS NULL OR e.request_id = ?) ORDER BY e.ts DESC LIMIT ?",
                    org, Timestamp.from(q.since()), app, app, account, account,
                    q.network() == null ? null : q.network().toString(), q.network() == null ? null : q.network().toString(),
                    q.decision(), q.decision(), q.requestId(), q.requestId(), q.limit());
        });
    }

    /** The events of the organisation written after {@code after} (oldest first), for following the log. */
    public List<Event> after(String orgName, Instant after, int limit) {
        return Tx.run(ds, c -> {
            UUID org = Lookup.org(c, orgName);
            return Rows.list(c, Event.class, SELECT + " WHERE e.org_id = ? AND e.ts > ? ORDER BY e.ts LIMIT ?", org,
                    Timestamp.from(after), limit);
        });
    }

    /** The organisation's sign-ins, refusals and sign-outs since {@code since}, newest first. */
    public List<SignInEvent> signIns(String orgName, Instant since, int limit) {
        return Tx.run(ds, c -> Rows.list(c, SignInEvent.class, "SELECT e.ts AS time, e.event, e.email, a.name AS account,"
                + " p.name AS provider, host(e.client_ip) AS client_ip, e.reason FROM sso_events e"
                + " LEFT JOIN accounts a ON a.id = e.account_id LEFT JOIN sso_providers p ON p.id = e.provider_id"
                + " WHERE e.org_id = ? AND e.ts >= ? ORDER BY e.ts DESC LIMIT ?", Lookup.org(c, orgName),
                Timestamp.from(since), limit));
    }

    /** A sign-in event with its organisation's name (null: a sign-in that named no known organisation). */
    public record OrgSignInEvent(Instant time, String org, String event, String email, String account, String provider,
                                 String clientIp, String reason) {
    }

    /**
     * Every organisation's sign-ins, refusals and sign-outs since {@code since}, newest first: one bounded range of the
     * (org_id, ts) index per organisation (at most {@link Activity#MAX_ORGS}), and the events of no organisation.
     */
    public List<OrgSignInEvent> signIns(Instant since, int limit) {
        return Tx.run(ds, c -> Rows.list(c, OrgSignInEvent.class, "SELECT x.* FROM (SELECT id, name FROM organisations"
                + " ORDER BY name LIMIT " + Activity.MAX_ORGS + " ) o CROSS JOIN LATERAL (SELECT e.ts AS time, o.name AS org,"
                + SIGN_IN_COLUMNS + " WHERE e.org_id = o.id AND e.ts >= ? ORDER BY e.ts DESC LIMIT ?) x"
                + " UNION ALL (SELECT e.ts AS time, NULL AS org," + SIGN_IN_COLUMNS + " WHERE e.org_id IS NULL AND e.ts >= ?"
                + " ORDER BY e.ts DESC LIMIT ?) ORDER BY time DESC LIMIT ?",
                Timestamp.from(since), limit, Timestamp.from(since), limit, limit));
    }

    private static final String SIGN_IN_COLUMNS = " e.event, e.email, a.name AS account, p.name AS provider,"
            + " host(e.client_ip) AS client_ip, e.reason FROM sso_events e LEFT JOIN accounts a ON a.id = e.account_id"
            + " LEFT JOIN sso_providers p ON p.id = e.provider_id";

    private static final String SELECT = "SELECT e.ts AS time, host(e.client_ip) AS client_ip, e.decision,"
            + " e.status, e.method, e.path, a.name AS app, acc.name AS account, p.name AS policy, e.event_count AS count,"
            + " e.request_id, host(e.peer_ip) AS peer, e.user_agent"
            + " FROM access_events e LEFT JOIN apps a ON a.id = e.app_id LEFT JOIN accounts acc ON acc.id = e.account_id"
            + " LEFT JOIN network_access_policies p ON p.id = e.policy_id";
}
