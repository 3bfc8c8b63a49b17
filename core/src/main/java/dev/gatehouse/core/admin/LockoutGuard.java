package dev.gatehouse.core.admin;

import dev.gatehouse.core.net.IpAddress;
import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.core.policy.PolicySnapshotLoader;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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

    /** An admin's allowed request in the last 24 hours, by address. */
    private record Seen(UUID orgId, UUID accountId, String account, String ip) {
    }

    private record Pair(UUID org, UUID account, String accountName, IpAddress ip, String ipText) {
    }

    private final List<Pair> allowedBefore;

    private LockoutGuard(List<Pair> allowedBefore) {
        this.allowedBefore = allowedBefore;
    }

    /** The pairs the organisation's policies allow now (none to watch when forced). */
    static LockoutGuard before(Connection c, UUID orgId, boolean force) throws SQLException {
        return before(c, List.of(orgId), force);
    }

    /**
     * The same for several organisations at once (a reset of all of them): one query and one policy snapshot,
     * whatever their number.
     */
    static LockoutGuard before(Connection c, List<UUID> orgIds, boolean force) throws SQLException {
        if (force || orgIds.isEmpty()) {
            return new LockoutGuard(List.of());
        }
        List<Seen> recent = Rows.list(c, Seen.class, "SELECT DISTINCT e.org_id, e.account_id, a.name AS account,"
                + " host(e.client_ip) AS ip FROM access_events e JOIN accounts a ON a.id = e.account_id"
                + " WHERE e.org_id = ANY (?) AND a.role = 'admin' AND e.decision = 'allow'"
                + " AND e.ts > now() - interval '24 hours' ORDER BY 3, 4", c.createArrayOf("uuid", orgIds.toArray()));
        if (recent.isEmpty()) {
            return new LockoutGuard(List.of());
        }
        List<Pair> pairs = new ArrayList<>();
        for (Seen r : recent) {
            pairs.add(new Pair(r.orgId(), r.accountId(), r.account(), IpAddress.parse(r.ip()), r.ip()));
        }
        return new LockoutGuard(allowed(c, pairs));
    }

    /** Refuses (rolling the transaction back) when the change denies a pair that was allowed before it. */
    void check(Connection c) throws SQLException {
        if (allowedBefore.isEmpty()) {
            return;
        }
        List<Pair> still = allowed(c, allowedBefore);
        List<Policies.LockedOut> locked = new ArrayList<>();
        for (Pair p : allowedBefore) {
            if (!still.contains(p)) {
                locked.add(new Policies.LockedOut(p.accountName(), p.ipText()));
            }
        }
        if (!locked.isEmpty()) {
            throw new Policies.WouldLockOut(locked);
        }
    }

    private static List<Pair> allowed(Connection c, List<Pair> pairs) throws SQLException {
        // only the organisations judged: the others' policies, however many, decide nothing here
        Set<UUID> orgs = new HashSet<>();
        for (Pair p : pairs) {
            orgs.add(p.org());
        }
        PolicySnapshot s = PolicySnapshotLoader.loadInTransaction(c, orgs);
        List<Pair> out = new ArrayList<>();
        for (Pair p : pairs) {
            PolicySnapshot.Org o = s.org(p.org());
            if (o != null && s.decide(o, o.accounts().get(p.account()), p.ip()).allowed()) {
                out.add(p);
            }
        }
        return out;
    }

    /** "a (ada), b (ada), … and 790 more": at most {@link #LISTED} addresses on the line. */
    static String describe(List<Policies.LockedOut> locked) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(LISTED, locked.size()); i++) {
            sb.append(i == 0 ? "" : ", ").append(locked.get(i).ip()).append(" (").append(locked.get(i).account())
                    .append(')');
        }
        if (locked.size() > LISTED) {
            sb.append(" and ").append(locked.size() - LISTED).append(" more (--json lists them all)");
        }
        return sb.toString();
    }
}
