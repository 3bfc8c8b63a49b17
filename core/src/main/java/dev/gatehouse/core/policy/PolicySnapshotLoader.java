package dev.gatehouse.core.policy;

import dev.gatehouse.core.net.Cidr;
import dev.gatehouse.core.net.CidrSet;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Reads a {@link PolicySnapshot} in one read-only REPEATABLE READ transaction, so the snapshot is one
 * consistent instant of the database even while administrators change it.
 *
 * <p>The transaction and its queries (one per table) go to the server as one batch: one network round trip
 * however many tables are read (a gateway's reaction to a policy change is mostly round trips; ten of
 * them cost it a millisecond on loopback, more across a network).
 */
public final class PolicySnapshotLoader {
    private static final String BEGIN = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;\n";
    private static final String COMMIT = ";\nCOMMIT";

    private PolicySnapshotLoader() {
    }

    /** Reads the whole snapshot in a transaction of its own; {@code c} must be in auto-commit mode. */
    public static PolicySnapshot load(Connection c) throws SQLException {
        requireAutoCommit(c);
        return snapshot(readSlice(c, null, true));
    }

    /**
     * A new snapshot in which the given organisations are read afresh (or removed, when they no longer
     * exist) and everything else is taken from {@code base}: what a gateway does on a change notification
     * naming its organisation, so that one tenant's change does not cost a reload of every tenant.
     * {@code c} must be in auto-commit mode.
     */
    public static PolicySnapshot reload(Connection c, PolicySnapshot base, Collection<UUID> orgs) throws SQLException {
        if (orgs.isEmpty()) {
            return base;
        }
        requireAutoCommit(c);
        Slice fresh = readSlice(c, orgs.toArray(UUID[]::new), true);
        Set<UUID> changed = new HashSet<>(orgs);
        Map<UUID, PolicySnapshot.Org> byId = new HashMap<>(base.orgsById());
        Map<String, PolicySnapshot.Org> byName = new HashMap<>(base.orgsByName());
        for (UUID id : changed) {
            PolicySnapshot.Org old = byId.remove(id);
            if (old != null) {
                byName.remove(old.name(), old);
            }
        }
        for (PolicySnapshot.Org o : fresh.orgs()) {
            byId.put(o.id(), o);
            byName.put(o.name(), o);
        }
        Map<TokenHash, PolicySnapshot.Token> tokens = new HashMap<>(base.tokens());
        tokens.values().removeIf(t -> changed.contains(t.orgId()));
        tokens.putAll(fresh.tokens());
        return new PolicySnapshot(Map.copyOf(byName), Map.copyOf(byId), Map.copyOf(tokens), fresh.readAt());
    }

    /** Reads within the caller's transaction (it sees the caller's own uncommitted changes). */
    public static PolicySnapshot loadInTransaction(Connection c) throws SQLException {
        return snapshot(readSlice(c, null, false));
    }

    private static void requireAutoCommit(Connection c) throws SQLException {
        if (!c.getAutoCommit()) {
            throw new IllegalStateException("the snapshot is read in a transaction of its own: pass a connection in"
                    + " auto-commit mode (or use loadInTransaction)");
        }
    }

    private static PolicySnapshot snapshot(Slice all) {
        Map<String, PolicySnapshot.Org> byName = new HashMap<>();
        Map<UUID, PolicySnapshot.Org> byId = new HashMap<>();
        for (PolicySnapshot.Org o : all.orgs()) {
            byName.put(o.name(), o);
            byId.put(o.id(), o);
        }
        return new PolicySnapshot(Map.copyOf(byName), Map.copyOf(byId), Map.copyOf(all.tokens()), all.readAt());
    }

    /** What was read for some organisations (or all of them). */
    private record Slice(List<PolicySnapshot.Org> orgs, Map<TokenHash, PolicySnapshot.Token> tokens, Instant readAt) {
    }

    /** The queries, in the order {@link #readSlice} consumes their results; {@code ?} is the organisation filter. */
    private static final String[][] QUERIES = {
        {"SELECT e.policy_id, e.action, e.network::text FROM network_policy_entries e",
            " JOIN network_access_policies p ON p.id = e.policy_id WHERE p.org_id = ANY(?)", ""},
        {"SELECT id, org_id, name, is_global FROM network_access_policies", " WHERE org_id = ANY(?)", " ORDER BY name"},
        {"SELECT ap.account_id, ap.policy_id FROM account_network_policies ap",
            " JOIN accounts a ON a.id = ap.account_id WHERE a.org_id = ANY(?)", ""},
        {"SELECT id, org_id, name, kind, role, email, sessions_not_before FROM accounts", " WHERE org_id = ANY(?)", ""},
        {"SELECT id, org_id, name, audit_mode FROM apps", " WHERE org_id = ANY(?)", ""},
        {"SELECT id, org_id, name, issuer, client_id, client_secret_ref, allowed_domains, auto_create, email_vouched,"
                + " enabled, callback_path, sessions_not_before FROM sso_providers WHERE provider_type = 'oidc'", " AND org_id = ANY(?)",
            " ORDER BY name"},
        // signed out, until they would have expired anyway (the database's clock, as for every instant here)
        {"SELECT org_id, session_id FROM sso_revoked_sessions WHERE expires_at > now()", " AND org_id = ANY(?)", ""},
        {"SELECT id, name, require_sso, audit_mode, sessions_not_before, sso_break_glass_at FROM organisations",
            " WHERE id = ANY(?)", ""},
        {"SELECT t.id, t.token_hash, t.account_id, a.org_id, t.expires_at, t.revoked_at"
                + " FROM api_tokens t JOIN accounts a ON a.id = t.account_id", " WHERE a.org_id = ANY(?)", ""},
    };

    private static String batch(boolean filtered, boolean ownTransaction) {
        StringBuilder sql = new StringBuilder(ownTransaction ? BEGIN : "");
        for (int i = 0; i < QUERIES.length; i++) {
            sql.append(i == 0 ? "" : ";\n").append(QUERIES[i][0]).append(filtered ? QUERIES[i][1] : "").append(QUERIES[i][2]);
        }
        return sql.append(ownTransaction ? COMMIT : "").toString();
    }

    private static final String ALL = batch(false, true);
    private static final String ALL_IN_CALLERS_TRANSACTION = batch(false, false);
    private static final String SOME = batch(true, true);

    /** Reads the organisations named by {@code only}, or all of them when it is null. */
    private static Slice readSlice(Connection c, UUID[] only, boolean ownTransaction) throws SQLException {
        Instant now = Instant.now();
        try (PreparedStatement ps = c.prepareStatement(only != null ? SOME : ownTransaction ? ALL : ALL_IN_CALLERS_TRANSACTION)) {
            if (only != null) {
                Array orgs = c.createArrayOf("uuid", only);
                for (int i = 1; i <= QUERIES.length; i++) {
                    ps.setArray(i, orgs);
                }
            }
            boolean isResultSet = ps.execute();
            if (ownTransaction) {
                isResultSet = ps.getMoreResults(); // past BEGIN
            }
            return readResults(new Results(ps, isResultSet), now);
        } catch (SQLException | RuntimeException e) {
            if (ownTransaction) {
                rollbackQuietly(c); // a batch failing half-way leaves its transaction open and aborted
            }
            throw e;
        }
    }

    private static void rollbackQuietly(Connection c) {
        try (Statement s = c.createStatement()) {
            s.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // the connection is broken; its owner finds out on its next use
        }
    }

    /** Walks a batch's results in order. */
    private static final class Results {
        private final PreparedStatement ps;
        private boolean current;
        private boolean first = true;

        Results(PreparedStatement ps, boolean isResultSet) {
            this.ps = ps;
            this.current = isResultSet;
        }

        ResultSet next() throws SQLException {
            if (!first) {
                current = ps.getMoreResults();
            }
            first = false;
            if (!current) {
                throw new SQLException("policy snapshot batch: expected a result set");
            }
            return ps.getResultSet();
        }
    }

    private static Slice readResults(Results results, Instant now) throws SQLException {
        // policies and their entries
        Map<UUID, List<Cidr>> allows = new HashMap<>();
        Map<UUID, List<Cidr>> denies = new HashMap<>();
        try (ResultSet rs = results.next()) {
            while (rs.next()) {
                UUID policy = (UUID) rs.getObject(1);
                Cidr cidr = Cidr.parse(rs.getString(3));
                (rs.getString(2).equals("allow") ? allows : denies).computeIfAbsent(policy, k -> new ArrayList<>()).add(cidr);
            }
        }
        Map<UUID, CompiledPolicy> policies = new HashMap<>();
        Map<UUID, List<CompiledPolicy>> globalByOrg = new HashMap<>();
        try (ResultSet rs = results.next()) {
            while (rs.next()) {
                UUID id = (UUID) rs.getObject(1);
                List<Cidr> allow = allows.getOrDefault(id, List.of());
                CompiledPolicy p = new CompiledPolicy(id, rs.getString(3), rs.getBoolean(4), CidrSet.of(allow),
                        CidrSet.of(denies.getOrDefault(id, List.of())), !allow.isEmpty());
                policies.put(id, p);
                if (p.global()) {
                    globalByOrg.computeIfAbsent((UUID) rs.getObject(2), k -> new ArrayList<>()).add(p);
                }
            }
        }
        Map<UUID, List<CompiledPolicy>> assignedByAccount = new HashMap<>();
        try (ResultSet rs = results.next()) {
            while (rs.next()) {
                CompiledPolicy p = policies.get((UUID) rs.getObject(2));
                if (p != null) {
                    assignedByAccount.computeIfAbsent((UUID) rs.getObject(1), k -> new ArrayList<>()).add(p);
                }
            }
        }
        Map<UUID, Map<UUID, PolicySnapshot.Account>> accountsByOrg = new HashMap<>();
        try (ResultSet rs = results.next()) {
            while (rs.next()) {
                UUID id = (UUID) rs.getObject(1);
                UUID org = (UUID) rs.getObject(2);
                accountsByOrg.computeIfAbsent(org, k -> new HashMap<>()).put(id, new PolicySnapshot.Account(id, org,
                        rs.getString(3), AccountKind.of(rs.getString(4)), rs.getString(5), rs.getString(6),
                        List.copyOf(assignedByAccount.getOrDefault(id, List.of())), instant(rs.getTimestamp(7))));
            }
        }
        Map<UUID, Map<String, UUID>> appsByOrg = new HashMap<>();
        Map<UUID, Map<UUID, AuditMode>> appModesByOrg = new HashMap<>();
        try (ResultSet rs = results.next()) {
            while (rs.next()) {
                UUID org = (UUID) rs.getObject(2);
                appsByOrg.computeIfAbsent(org, k -> new HashMap<>()).put(rs.getString(3), (UUID) rs.getObject(1));
                if (rs.getString(4) != null) {
                    appModesByOrg.computeIfAbsent(org, k -> new HashMap<>()).put((UUID) rs.getObject(1),
                            AuditMode.of(rs.getString(4)));
                }
            }
        }
        Map<UUID, List<PolicySnapshot.SsoProvider>> providersByOrg = new HashMap<>();
        try (ResultSet rs = results.next()) {
            while (rs.next()) {
                providersByOrg.computeIfAbsent((UUID) rs.getObject(2), k -> new ArrayList<>()).add(new PolicySnapshot.SsoProvider(
                        (UUID) rs.getObject(1), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                        List.of((String[]) rs.getArray(7).getArray()), rs.getString(8), rs.getBoolean(9), rs.getBoolean(10),
                        rs.getString(11), instant(rs.getTimestamp(12))));
            }
        }
        Map<UUID, Set<String>> revokedByOrg = new HashMap<>();
        try (ResultSet rs = results.next()) {
            while (rs.next()) {
                revokedByOrg.computeIfAbsent((UUID) rs.getObject(1), k -> new HashSet<>()).add(rs.getString(2));
            }
        }
        List<PolicySnapshot.Org> orgs = new ArrayList<>();
        try (ResultSet rs = results.next()) {
            while (rs.next()) {
                UUID id = (UUID) rs.getObject(1);
                orgs.add(new PolicySnapshot.Org(id, rs.getString(2), rs.getBoolean(3),
                        List.copyOf(globalByOrg.getOrDefault(id, List.of())), Map.copyOf(appsByOrg.getOrDefault(id, Map.of())),
                        Map.copyOf(accountsByOrg.getOrDefault(id, Map.of())), AuditMode.of(rs.getString(4)),
                        Map.copyOf(appModesByOrg.getOrDefault(id, Map.of())),
                        List.copyOf(providersByOrg.getOrDefault(id, List.of())), instant(rs.getTimestamp(5)),
                        instant(rs.getTimestamp(6)), Set.copyOf(revokedByOrg.getOrDefault(id, Set.of()))));
            }
        }
        Map<TokenHash, PolicySnapshot.Token> tokens = new HashMap<>();
        try (ResultSet rs = results.next()) {
            while (rs.next()) {
                tokens.put(TokenHash.of(rs.getBytes(2)), new PolicySnapshot.Token((UUID) rs.getObject(1),
                        (UUID) rs.getObject(3), (UUID) rs.getObject(4), instant(rs.getTimestamp(5)), instant(rs.getTimestamp(6))));
            }
        }
        return new Slice(orgs, tokens, now);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
