package dev.gatehouse.core.admin;

import dev.gatehouse.core.net.Cidr;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The audit log's rows as the operator console shows them: the denials (filtered, newest first), the denials written
 * since a point (the console's live tail), and one request by its id (the 403 page's). Every query is bounded by a
 * time window and a LIMIT, and walks the (org_id, ts) index of the daily partitions the window covers: with an
 * organisation, one index range; without, one bounded range per organisation (at most {@link Activity#MAX_ORGS}),
 * merged. Rows of no organisation are not read.
 */
public final class AccessEvents {

    /**
     * What to look for; null narrows nothing.
     *
     * @param pathPrefix the path begins with this (compared as written, case-sensitively)
     * @param until      exclusive; null: now
     */
    public record Filter(String org, Cidr network, String account, String pathPrefix, Instant since, Instant until,
                         int limit) {
    }

    /**
     * An access_events row with the names of what it refers to.
     *
     * @param peer   the hop that connected to the gateway (the socket peer or the PROXY protocol source); the client
     *               is the address the gateway chose from the forwarding headers, which the row does not keep
     * @param policy the policy that decided, when one did
     * @param count  requests this row stands for (more than one: a per-minute aggregate)
     */
    public record Event(Instant time, UUID eventId, String org, String app, String account, String clientIp, String peer,
                        String method, String path, Integer status, String decision, String policy, String userAgent,
                        String requestId, long count) {

        /** Why, in words, from what the row keeps (the status the gateway answered and the deciding policy). */
        public String reason() {
            if ("allow".equals(decision)) {
                return policy == null ? "allowed: no policy restricts this address" : "allowed by policy " + policy;
            }
            if (status == null) {
                return "denied";
            }
            return switch (status) {
                case 403 -> policy == null ? "denied by the organisation's network policy"
                        : "denied by network policy " + policy + " (a deny entry matched, or outside its allow list)";
                case 401 -> "identity refused: no valid API token or sign-in";
                case 503 -> "the organisation or app is not configured, or the policies were not loaded yet";
                default -> "denied (" + status + ")";
            };
        }
    }

    /** A position in the log: events come in (time, event id) order. */
    public record Cursor(Instant time, UUID eventId) {
    }

    private final DataSource ds;

    public AccessEvents(DataSource ds) {
        this.ds = ds;
    }

    /** The denials matching {@code f}, newest first. */
    public List<Event> denials(Filter f) {
        return Tx.run(ds, c -> {
            List<Object> args = new ArrayList<>();
            String where = where(f, args);
            return byOrganisation(c, f.org(), where, args, "e.ts DESC, e.event_id DESC", "x.time DESC, x.event_id DESC",
                    f.limit());
        });
    }

    /**
     * The denials matching {@code f} after {@code cursor} and before {@code settled}, oldest first: what a live tail
     * sends next. {@code settled} holds back the last moments, whose rows may still be on their way from another
     * replica's batch: a row is sent once, and only when the rows before it are in. Rows before {@code f.since()} are
     * not read, whatever the cursor (the caller keeps the cursor itself within its window).
     */
    public List<Event> denialsAfter(Filter f, Cursor cursor, Instant settled) {
        return Tx.run(ds, c -> {
            // never before the filter's own window, whatever the cursor says
            Instant from = f.since() != null && f.since().isAfter(cursor.time()) ? f.since() : cursor.time();
            Filter window = new Filter(f.org(), f.network(), f.account(), f.pathPrefix(), from, settled, f.limit());
            List<Object> args = new ArrayList<>();
            String where = where(window, args) + " AND (e.ts, e.event_id) > (?, ?)";
            args.add(Timestamp.from(cursor.time()));
            args.add(cursor.eventId());
            return byOrganisation(c, f.org(), where, args, "e.ts, e.event_id", "x.time, x.event_id", f.limit());
        });
    }

    /**
     * The request with this id (the 403 page's, or a trusted proxy's X-Request-Id) written since {@code since},
     * newest first: usually one row. Without an organisation every organisation's range of the window is read, so
     * keep the window short.
     */
    public List<Event> request(String requestId, String org, Instant since, int limit) {
        return Tx.run(ds, c -> {
            if (org != null) {
                return Rows.list(c, Event.class, SELECT + " WHERE e.org_id = ? AND e.ts >= ? AND e.request_id = ?"
                        + " ORDER BY e.ts DESC LIMIT ?", Lookup.org(c, org), Timestamp.from(since), requestId, limit);
            }
            return Rows.list(c, Event.class, "SELECT x.* FROM (SELECT id FROM organisations ORDER BY name LIMIT "
                    + Activity.MAX_ORGS + ") o CROSS JOIN LATERAL (" + SELECT + " WHERE e.org_id = o.id AND e.ts >= ?"
                    + " AND e.request_id = ? ORDER BY e.ts DESC LIMIT ?) x ORDER BY x.time DESC LIMIT ?",
                    Timestamp.from(since), requestId, limit, limit);
        });
    }

    /**
     * Rows matching {@code where} (its arguments in {@code args}), {@code limit} at most in {@code order}: in one
     * organisation's index range when {@code org} is named, else in each of the first {@link Activity#MAX_ORGS}
     * organisations' ranges (a lateral join: one bounded range scan each), merged in {@code outerOrder}.
     */
    private static List<Event> byOrganisation(Connection c, String org, String where, List<Object> args, String order,
                                              String outerOrder, int limit) throws SQLException {
        List<Object> all = new ArrayList<>();
        if (org != null) {
            all.add(Lookup.org(c, org));
            all.addAll(args);
            all.add(limit);
            return Rows.list(c, Event.class, SELECT + " WHERE e.org_id = ? AND " + where + " ORDER BY " + order
                    + " LIMIT ?", all.toArray());
        }
        all.addAll(args);
        all.add(limit);
        all.add(limit);
        return Rows.list(c, Event.class, "SELECT x.* FROM (SELECT id FROM organisations ORDER BY name LIMIT "
                + Activity.MAX_ORGS + ") o CROSS JOIN LATERAL (" + SELECT + " WHERE e.org_id = o.id AND " + where
                + " ORDER BY " + order + " LIMIT ?) x ORDER BY " + outerOrder + " LIMIT ?", all.toArray());
    }

    /** The conditions of {@code f} but the organisation, with their arguments appended to {@code args}. */
    private static String where(Filter f, List<Object> args) {
        StringBuilder w = new StringBuilder("e.decision = 'deny' AND e.ts >= ?");
        args.add(Timestamp.from(f.since()));
        if (f.until() != null) {
            w.append(" AND e.ts < ?");
            args.add(Timestamp.from(f.until()));
        }
        if (f.network() != null) {
            w.append(" AND e.client_ip <<= ?::cidr");
            args.add(f.network().toString());
        }
        if (f.account() != null) {
            w.append(" AND acc.name = ?");
            args.add(f.account());
        }
        if (f.pathPrefix() != null) {
            w.append(" AND e.path LIKE ? ESCAPE '\\'");
            args.add(f.pathPrefix().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        }
        return w.toString();
    }

    private static final String SELECT = "SELECT e.ts AS time, e.event_id, org.name AS org, a.name AS app,"
            + " acc.name AS account, host(e.client_ip) AS client_ip, host(e.peer_ip) AS peer, e.method, e.path, e.status,"
            + " e.decision, p.name AS policy, e.user_agent, e.request_id, e.event_count AS count"
            + " FROM access_events e JOIN organisations org ON org.id = e.org_id LEFT JOIN apps a ON a.id = e.app_id"
            + " LEFT JOIN accounts acc ON acc.id = e.account_id LEFT JOIN network_access_policies p ON p.id = e.policy_id";
}
