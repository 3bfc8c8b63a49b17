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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.PGStatement;
import org.postgresql.copy.CopyOut;

/**
 * Reads a {@link PolicySnapshot} in one read-only REPEATABLE READ transaction, so the snapshot is one
 * consistent instant of the database even while administrators change it.
 *
 * <p>Three ways, by cost:
 * <ul>
 * <li>{@link #refresh}: the periodic safety check. One query reads the organisations whose policy version moved
 * since the snapshot's watermark (schema V9: {@code policy_versions}); only those whose version differs from the
 * one held are read again. Idle, it reads nothing, whatever the number of organisations.</li>
 * <li>{@link #reload}: a change notification named some organisations. The transaction and its queries (one per
 * table) go to the server as one batch: one network round trip however many tables are read (a gateway's reaction
 * to a policy change is mostly round trips; ten of them cost it a millisecond on loopback, more across a
 * network). The new snapshot shares everything else with the old one.</li>
 * <li>{@link #load}: everything, at start and on reconnecting. Streamed: a query per table through a server-side
 * cursor ({@value #FETCH_SIZE} rows a round trip, binary format), and the entries, a million at fleet scale, by
 * {@code COPY ... (FORMAT binary)} parsed as a byte stream into each policy's ranges: no object per entry, neither
 * the driver's nor ours, so a million entries need the heap of the snapshot they make, not of the rows that made
 * it, and a cold JVM spends its time in one small loop instead of the driver's row machinery.</li>
 * </ul>
 */
public final class PolicySnapshotLoader {
    private static final String BEGIN = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;\n";
    private static final String COMMIT = ";\nCOMMIT";
    /** Rows a full load's cursors fetch per round trip. */
    static final int FETCH_SIZE = 10_000;

    private PolicySnapshotLoader() {
    }

    /** Reads the whole snapshot in a transaction of its own; {@code c} must be in auto-commit mode. */
    public static PolicySnapshot load(Connection c) throws SQLException {
        requireAutoCommit(c);
        Instant now = Instant.now();
        c.setAutoCommit(false); // cursors need a transaction
        try {
            long watermark;
            try (Statement s = c.createStatement()) {
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                // the first query takes the transaction's snapshot: what it did not see began at or above its xmin
                try (ResultSet rs = s.executeQuery("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")) {
                    rs.next();
                    watermark = rs.getLong(1);
                }
            }
            PolicySnapshot s;
            try (Streamed results = new Streamed(c)) {
                s = snapshot(readResults(results, now), watermark);
            }
            c.commit();
            return s;
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c);
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
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
        return merge(base, orgs, fresh);
    }

    /** Reads everything within the caller's transaction (it sees the caller's own uncommitted changes). */
    public static PolicySnapshot loadInTransaction(Connection c) throws SQLException {
        return snapshot(readSlice(c, null, false), 0);
    }

    /**
     * Reads only the given organisations, within the caller's transaction: what the lockout guard needs to judge a
     * change of some organisations, whatever the number of the others.
     */
    public static PolicySnapshot loadInTransaction(Connection c, Collection<UUID> orgs) throws SQLException {
        if (orgs.isEmpty()) {
            return snapshot(new Slice(List.of(), Map.of(), Instant.now()), 0);
        }
        return snapshot(readSlice(c, orgs.toArray(UUID[]::new), false), 0);
    }

    /**
     * What a version check did.
     *
     * @param snapshot the snapshot now current (the same maps when nothing changed, confirmed at the check)
     * @param reloaded the organisations read again (or removed); empty when nothing changed
     * @param full     whether so many changed that everything was read again
     */
    public record Refresh(PolicySnapshot snapshot, Set<UUID> reloaded, boolean full) {
    }

    /**
     * The periodic safety check: reads the organisations whose version moved since {@code base}'s watermark,
     * compares each with the version {@code base} holds, and reads again only those that differ (everything,
     * when more than {@code maxPartial} do). A change whose notification was missed is caught here; one whose
     * notification was handled has the version the snapshot holds and costs nothing more. {@code c} must be in
     * auto-commit mode.
     */
    public static Refresh refresh(Connection c, PolicySnapshot base, int maxPartial) throws SQLException {
        requireAutoCommit(c);
        Instant now = Instant.now();
        long watermark = -1;
        Set<UUID> changed = new LinkedHashSet<>();
        // one statement, one snapshot: its xmin is the next watermark, and the rows are what it saw since the last
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint,"
                + " NULL::uuid, NULL::bigint, NULL::boolean UNION ALL"
                + " SELECT NULL, v.org_id, v.version, o.id IS NOT NULL FROM policy_versions v"
                + " LEFT JOIN organisations o ON o.id = v.org_id WHERE v.changed_xid >= ?::xid8")) {
            ps.setString(1, Long.toString(base.watermark()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID org = (UUID) rs.getObject(2);
                    if (org == null) {
                        watermark = rs.getLong(1);
                        continue;
                    }
                    PolicySnapshot.Org held = base.org(org);
                    boolean live = rs.getBoolean(4);
                    if (live ? held == null || held.version() != rs.getLong(3) : held != null) {
                        changed.add(org);
                    }
                }
            }
        }
        if (watermark < 0) {
            throw new SQLException("policy version check: no snapshot xmin");
        }
        if (changed.isEmpty()) {
            return new Refresh(base.checked(now, watermark), Set.of(), false);
        }
        if (changed.size() > maxPartial) {
            return new Refresh(load(c), changed, true);
        }
        return new Refresh(reload(c, base, changed).checked(now, watermark), changed, false);
    }

    private static void requireAutoCommit(Connection c) throws SQLException {
        if (!c.getAutoCommit()) {
            throw new IllegalStateException("the snapshot is read in a transaction of its own: pass a connection in"
                    + " auto-commit mode (or use loadInTransaction)");
        }
    }

    private static PolicySnapshot snapshot(Slice all, long watermark) {
        ShardedMap.Editor<String, PolicySnapshot.Org> byName = ShardedMap.<String, PolicySnapshot.Org>empty().edit();
        ShardedMap.Editor<UUID, PolicySnapshot.Org> byId = ShardedMap.<UUID, PolicySnapshot.Org>empty().edit();
        for (PolicySnapshot.Org o : all.orgs()) {
            byName.put(o.name(), o);
            byId.put(o.id(), o);
        }
        return new PolicySnapshot(byName.build(), byId.build(), ShardedMap.copyOf(all.tokens()),
                PolicySnapshot.tokensByOrg(all.tokens()), all.readAt(), watermark);
    }

    /** {@code base} with {@code orgs} replaced by what {@code fresh} read of them: only their shards are copied. */
    private static PolicySnapshot merge(PolicySnapshot base, Collection<UUID> orgs, Slice fresh) {
        ShardedMap.Editor<UUID, PolicySnapshot.Org> byId = ShardedMap.copyOf(base.orgsById()).edit();
        ShardedMap.Editor<String, PolicySnapshot.Org> byName = ShardedMap.copyOf(base.orgsByName()).edit();
        ShardedMap.Editor<TokenHash, PolicySnapshot.Token> tokens = ShardedMap.copyOf(base.tokens()).edit();
        ShardedMap.Editor<UUID, List<TokenHash>> tokensByOrg = base.tokensByOrg().edit();
        for (UUID id : new HashSet<>(orgs)) {
            PolicySnapshot.Org old = base.org(id);
            if (old != null) {
                byId.remove(id);
                byName.remove(old.name(), old);
            }
            for (TokenHash h : base.tokensByOrg().getOrDefault(id, List.of())) {
                PolicySnapshot.Token t = tokens.get(h);
                if (t != null && t.orgId().equals(id)) {
                    tokens.remove(h);
                }
            }
            tokensByOrg.remove(id);
        }
        for (PolicySnapshot.Org o : fresh.orgs()) {
            byId.put(o.id(), o);
            byName.put(o.name(), o);
        }
        fresh.tokens().forEach(tokens::put);
        PolicySnapshot.tokensByOrg(fresh.tokens()).forEach(tokensByOrg::put);
        return new PolicySnapshot(byName.build(), byId.build(), tokens.build(), tokensByOrg.build(), fresh.readAt(),
                base.watermark());
    }

    /** What was read for some organisations (or all of them). */
    private record Slice(List<PolicySnapshot.Org> orgs, Map<TokenHash, PolicySnapshot.Token> tokens, Instant readAt) {
    }

    /**
     * The queries, in the order {@link #readResults} consumes their results; {@code ?} is the organisation filter.
     *
     * <p>The entries (for some organisations: a full load copies them, {@link #COPY_ENTRIES}) come one row per policy
     * and action: the IPv4 ones as one {@code bytea} of 8-byte big-endian words, {@code first address << 8 | prefix
     * length} ({@link #addPacked}), nothing to parse; the IPv6 ones (rare) as text.
     */
    private static final String[][] QUERIES = {
        {"SELECT id, org_id, name, is_global FROM network_access_policies", " WHERE org_id = ANY(?)", " ORDER BY name"},
        {"SELECT e.policy_id, e.action = 'allow',"
                + " string_agg(int8send(((e.network - '0.0.0.0'::inet) << 8) | masklen(e.network)), ''::bytea)"
                + " FILTER (WHERE family(e.network) = 4),"
                + " array_agg(e.network::text) FILTER (WHERE family(e.network) = 6) FROM network_policy_entries e",
            " JOIN network_access_policies p ON p.id = e.policy_id WHERE p.org_id = ANY(?)",
            " GROUP BY e.policy_id, e.action"},
        {"SELECT ap.account_id, ap.policy_id FROM account_network_policies ap",
            " JOIN accounts a ON a.id = ap.account_id WHERE a.org_id = ANY(?)", ""},
        {"SELECT id, org_id, name, kind, role, email, sessions_not_before FROM accounts", " WHERE org_id = ANY(?)", ""},
        {"SELECT id, org_id, name, audit_mode FROM apps", " WHERE org_id = ANY(?)", ""},
        {"SELECT id, org_id, name, issuer, client_id, client_secret_ref, allowed_domains, auto_create, email_vouched,"
                + " enabled, callback_path, sessions_not_before FROM sso_providers WHERE provider_type = 'oidc'", " AND org_id = ANY(?)",
            " ORDER BY name"},
        // signed out, until they would have expired anyway (the database's clock, as for every instant here)
        {"SELECT org_id, session_id FROM sso_revoked_sessions WHERE expires_at > now()", " AND org_id = ANY(?)", ""},
        {"SELECT o.id, o.name, o.require_sso, o.audit_mode, o.sessions_not_before, o.sso_break_glass_at,"
                + " coalesce(v.version, 0) FROM organisations o LEFT JOIN policy_versions v ON v.org_id = o.id",
            " WHERE o.id = ANY(?)", ""},
        {"SELECT t.id, t.token_hash, t.account_id, a.org_id, t.expires_at, t.revoked_at"
                + " FROM api_tokens t JOIN accounts a ON a.id = t.account_id", " WHERE a.org_id = ANY(?)", ""},
    };

    /** Index of the entries in {@link #QUERIES}. */
    private static final int ENTRIES = 1;

    /**
     * Every entry, for a full load: per row the policy, allow or deny, and the network: IPv4 packed as in
     * {@link #QUERIES}, IPv6 as text.
     */
    private static final String COPY_ENTRIES = "COPY (SELECT policy_id, action = 'allow',"
            + " CASE WHEN family(network) = 4 THEN ((network - '0.0.0.0'::inet) << 8) | masklen(network) END,"
            + " CASE WHEN family(network) = 6 THEN network::text END FROM network_policy_entries) TO STDOUT (FORMAT binary)";

    private static String batch(boolean filtered, boolean ownTransaction) {
        StringBuilder sql = new StringBuilder(ownTransaction ? BEGIN : "");
        for (int i = 0; i < QUERIES.length; i++) {
            sql.append(i == 0 ? "" : ";\n").append(query(i, filtered));
        }
        return sql.append(ownTransaction ? COMMIT : "").toString();
    }

    private static String query(int i, boolean filtered) {
        return QUERIES[i][0] + (filtered ? QUERIES[i][1] : "") + QUERIES[i][2];
    }

    private static final String ALL_IN_CALLERS_TRANSACTION = batch(false, false);
    private static final String SOME = batch(true, true);
    private static final String SOME_IN_CALLERS_TRANSACTION = batch(true, false);

    /** Reads the organisations named by {@code only}, or all of them when it is null, in one round trip. */
    private static Slice readSlice(Connection c, UUID[] only, boolean ownTransaction) throws SQLException {
        Instant now = Instant.now();
        String sql = only == null ? ALL_IN_CALLERS_TRANSACTION : ownTransaction ? SOME : SOME_IN_CALLERS_TRANSACTION;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
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
            return readResults(new Batched(ps, isResultSet), now);
        } catch (SQLException | RuntimeException e) {
            if (ownTransaction) {
                rollbackQuietly(c); // a batch failing half-way leaves its transaction open and aborted
            }
            throw e;
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
                return;
            }
        } catch (SQLException ignored) {
            // the connection is broken; its owner finds out on its next use
        }
        try (Statement s = c.createStatement()) {
            s.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // the connection is broken; its owner finds out on its next use
        }
    }

    /** The queries' results, one after the other, in {@link #QUERIES}' order. */
    private interface Results {
        ResultSet next() throws SQLException;

        /** Reads the entries (the results' second) into their policies. */
        default void entries(Map<UUID, PolicyRow> policies) throws SQLException {
            try (ResultSet rs = next()) {
                while (rs.next()) {
                    PolicyRow p = policies.get((UUID) rs.getObject(1));
                    if (p == null) {
                        continue; // not possible in one snapshot; harmless
                    }
                    CidrSet.Builder b = p.builder(rs.getBoolean(2));
                    byte[] v4 = rs.getBytes(3);
                    for (int i = 0; v4 != null && i + 8 <= v4.length; i += 8) {
                        long word = 0;
                        for (int k = 0; k < 8; k++) {
                            word = (word << 8) | (v4[i + k] & 0xff);
                        }
                        addPacked(b, word);
                    }
                    Array v6 = rs.getArray(4);
                    if (v6 != null) {
                        for (String network : (String[]) v6.getArray()) {
                            b.add(Cidr.parse(network));
                        }
                    }
                }
            }
        }
    }

    /** An IPv4 network packed as {@code first address << 8 | prefix length}. */
    private static void addPacked(CidrSet.Builder b, long word) {
        long first = word >>> 8;
        b.addV4(first, first | (0xffffffffL >>> (int) (word & 0xff)));
    }

    /** Walks a batch's results in order. */
    private static final class Batched implements Results {
        private final PreparedStatement ps;
        private boolean current;
        private boolean first = true;

        Batched(PreparedStatement ps, boolean isResultSet) {
            this.ps = ps;
            this.current = isResultSet;
        }

        @Override
        public ResultSet next() throws SQLException {
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

    /**
     * Runs the unfiltered queries one by one, each through a cursor (the connection is in a transaction), in
     * PostgreSQL's binary format: a uuid comes as its 16 bytes rather than 36 characters to parse, a million times.
     */
    private static final class Streamed implements Results, AutoCloseable {
        private final Connection c;
        private PreparedStatement statement;
        private int next;

        Streamed(Connection c) {
            this.c = c;
        }

        @Override
        public ResultSet next() throws SQLException {
            close();
            if (next == ENTRIES) {
                throw new IllegalStateException("the entries are copied");
            }
            statement = c.prepareStatement(query(next++, false));
            statement.unwrap(PGStatement.class).setPrepareThreshold(-1); // -1: binary results from the first execution
            statement.setFetchSize(FETCH_SIZE);
            return statement.executeQuery();
        }

        /** {@link #COPY_ENTRIES}, parsed as it arrives. */
        @Override
        public void entries(Map<UUID, PolicyRow> policies) throws SQLException {
            close();
            next++;
            CopyOut copy = c.unwrap(PGConnection.class).getCopyAPI().copyOut(COPY_ENTRIES);
            try {
                BinaryCopyReader in = new BinaryCopyReader(copy);
                PolicyRow p = null;
                long msb = 0;
                long lsb = 0;
                for (short fields = in.nextRow(); fields != -1; fields = in.nextRow()) {
                    if (fields != 4 || in.fieldLength() != 16) {
                        throw new SQLException("policy entries: unexpected row in the COPY stream");
                    }
                    long m = in.readLong();
                    long l = in.readLong();
                    if (p == null || m != msb || l != lsb) { // a policy's entries usually come together
                        msb = m;
                        lsb = l;
                        p = policies.get(new UUID(m, l));
                    }
                    in.fieldLength();
                    boolean allow = in.readByte() != 0;
                    long word = in.fieldLength() < 0 ? -1 : in.readLong();
                    int v6 = in.fieldLength();
                    String network = v6 < 0 ? null : in.readText(v6);
                    if (p == null) {
                        continue; // not possible in one snapshot; harmless
                    }
                    if (word >= 0) {
                        addPacked(p.builder(allow), word);
                    } else {
                        p.builder(allow).add(Cidr.parse(network));
                    }
                }
                while (copy.readFromCopy() != null) {
                    // the end of the operation, after the stream's own end
                }
            } finally {
                if (copy.isActive()) {
                    copy.cancelCopy();
                }
            }
        }

        @Override
        public void close() throws SQLException {
            if (statement != null) {
                statement.close();
                statement = null;
            }
        }
    }

    /** A policy while its entries arrive. */
    private static final class PolicyRow {
        final UUID id;
        final UUID org;
        final String name;
        final boolean global;
        private CidrSet.Builder allow;
        private CidrSet.Builder deny;

        PolicyRow(UUID id, UUID org, String name, boolean global) {
            this.id = id;
            this.org = org;
            this.name = name;
            this.global = global;
        }

        CidrSet.Builder builder(boolean forAllow) {
            if (forAllow) {
                return allow != null ? allow : (allow = new CidrSet.Builder());
            }
            return deny != null ? deny : (deny = new CidrSet.Builder());
        }

        CompiledPolicy compile() {
            return new CompiledPolicy(id, name, global, allow == null ? CidrSet.EMPTY : allow.build(),
                    deny == null ? CidrSet.EMPTY : deny.build(), allow != null);
        }
    }

    private static Slice readResults(Results results, Instant now) throws SQLException {
        // policies, then their entries, straight into each policy's ranges
        List<PolicyRow> policyRows = new ArrayList<>();
        Map<UUID, PolicyRow> policyById = new HashMap<>();
        try (ResultSet rs = results.next()) {
            while (rs.next()) {
                PolicyRow p = new PolicyRow((UUID) rs.getObject(1), (UUID) rs.getObject(2), rs.getString(3),
                        rs.getBoolean(4));
                policyRows.add(p);
                policyById.put(p.id, p);
            }
        }
        results.entries(policyById);
        Map<UUID, CompiledPolicy> policies = new HashMap<>();
        Map<UUID, List<CompiledPolicy>> globalByOrg = new HashMap<>();
        for (PolicyRow row : policyRows) {
            CompiledPolicy p = row.compile();
            policies.put(p.id(), p);
            if (p.global()) {
                globalByOrg.computeIfAbsent(row.org, k -> new ArrayList<>()).add(p);
            }
        }
        policyRows = null; // a full load runs once, interpreted: let the rows go before the next tables come
        policyById = null;
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
                        instant(rs.getTimestamp(6)), Set.copyOf(revokedByOrg.getOrDefault(id, Set.of())),
                        rs.getLong(7)));
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
