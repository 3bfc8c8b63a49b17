package dev.gatehouse.core.admin;

import dev.gatehouse.core.net.IpAddress;
import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.core.policy.PolicySnapshotLoader;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The lockout guard, judging the change and not the state after it: taken before a transaction changes an
 * organisation's policies ({@link #before}), checked after ({@link #check}). It refuses only the (admin, address)
 * pairs — admins seen allowed in the last 24 hours — that the policies allowed before the change and deny after it.
 * A change that only lets people back in always passes, even in an organisation already locked out; a change that
 * touches nobody's access passes too.
 */
final class LockoutGuard {
    /** Addresses named in the refusal's message at most; every one is in {@link Policies.WouldLockOut#lockedOut()}. */
    static final int LISTED = 10;

    private record Pair(UUID account, String accountName, IpAddress ip, String ipText) {
    }

    private final UUID orgId;
    private final List<Pair> allowedBefore;

    private LockoutGuard(UUID orgId, List<Pair> allowedBefore) {
        this.orgId = orgId;
        this.allowedBefore = allowedBefore;
    }

    /** The pairs the organisation's policies allow now (none to watch when forced). */
    static LockoutGuard before(Connection c, UUID orgId, boolean force) throws SQLException {
        if (force) {
            return new LockoutGuard(orgId, List.of());
        }
        List<Map<String, Object>> recent = Rows.query(c, "SELECT DISTINCT e.account_id, a.name AS account,"
                + " host(e.client_ip) AS ip FROM access_events e JOIN accounts a ON a.id = e.account_id"
                + " WHERE e.org_id = ? AND a.role = 'admin' AND e.decision = 'allow'"
                + " AND e.ts > now() - interval '24 hours' ORDER BY 2, 3", orgId);
        if (recent.isEmpty()) {
            return new LockoutGuard(orgId, List.of());
        }
        List<Pair> pairs = new ArrayList<>();
        for (Map<String, Object> r : recent) {
            pairs.add(new Pair(UUID.fromString((String) r.get("account_id")), (String) r.get("account"),
                    IpAddress.parse((String) r.get("ip")), (String) r.get("ip")));
        }
        return new LockoutGuard(orgId, allowed(c, orgId, pairs));
    }

    /** Refuses (rolling the transaction back) when the change denies a pair that was allowed before it. */
    void check(Connection c) throws SQLException {
        if (allowedBefore.isEmpty()) {
            return;
        }
        List<Pair> still = allowed(c, orgId, allowedBefore);
        List<Map<String, String>> locked = new ArrayList<>();
        for (Pair p : allowedBefore) {
            if (!still.contains(p)) {
                Map<String, String> m = new LinkedHashMap<>();
                m.put("account", p.accountName());
                m.put("ip", p.ipText());
                locked.add(m);
            }
        }
        if (!locked.isEmpty()) {
            throw new Policies.WouldLockOut(locked);
        }
    }

    private static List<Pair> allowed(Connection c, UUID orgId, List<Pair> pairs) throws SQLException {
        PolicySnapshot s = PolicySnapshotLoader.loadInTransaction(c);
        PolicySnapshot.Org o = s.org(orgId);
        List<Pair> out = new ArrayList<>();
        if (o == null) {
            return out;
        }
        for (Pair p : pairs) {
            PolicySnapshot.Account a = o.accounts().get(p.account());
            if (s.decide(o, a, p.ip()).allowed()) {
                out.add(p);
            }
        }
        return out;
    }

    /** "a (ada), b (ada), … and 790 more": at most {@link #LISTED} addresses on the line. */
    static String describe(List<Map<String, String>> locked) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(LISTED, locked.size()); i++) {
            sb.append(i == 0 ? "" : ", ").append(locked.get(i).get("ip")).append(" (").append(locked.get(i).get("account"))
                    .append(')');
        }
        if (locked.size() > LISTED) {
            sb.append(" and ").append(locked.size() - LISTED).append(" more (--json lists them all)");
        }
        return sb.toString();
    }
}
