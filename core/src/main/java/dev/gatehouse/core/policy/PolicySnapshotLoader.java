package dev.gatehouse.core.policy;

import dev.gatehouse.core.net.Cidr;
import dev.gatehouse.core.net.CidrSet;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Reads a {@link PolicySnapshot} in one read-only REPEATABLE READ transaction, so the snapshot is one
 * consistent instant of the database even while administrators change it.
 */
public final class PolicySnapshotLoader {
    private PolicySnapshotLoader() {
    }

    public static PolicySnapshot load(Connection c) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        int isolation = c.getTransactionIsolation();
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setReadOnly(true);
        try {
            PolicySnapshot s = read(c);
            c.commit();
            return s;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setReadOnly(false);
            c.setTransactionIsolation(isolation);
            c.setAutoCommit(autoCommit);
        }
    }

    /** Reads within the caller's transaction (it sees the caller's own uncommitted changes). */
    public static PolicySnapshot loadInTransaction(Connection c) throws SQLException {
        return read(c);
    }

    private static PolicySnapshot read(Connection c) throws SQLException {
        Instant now = Instant.now();
        // policies and their entries
        Map<UUID, List<Cidr>> allows = new HashMap<>();
        Map<UUID, List<Cidr>> denies = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT policy_id, action, network::text FROM network_policy_entries");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                UUID policy = (UUID) rs.getObject(1);
                Cidr cidr = Cidr.parse(rs.getString(3));
                (rs.getString(2).equals("allow") ? allows : denies).computeIfAbsent(policy, k -> new ArrayList<>()).add(cidr);
            }
        }
        Map<UUID, CompiledPolicy> policies = new HashMap<>();
        Map<UUID, List<CompiledPolicy>> globalByOrg = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, org_id, name, is_global FROM network_access_policies ORDER BY name");
             ResultSet rs = ps.executeQuery()) {
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
        try (PreparedStatement ps = c.prepareStatement("SELECT account_id, policy_id FROM account_network_policies");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                CompiledPolicy p = policies.get((UUID) rs.getObject(2));
                if (p != null) {
                    assignedByAccount.computeIfAbsent((UUID) rs.getObject(1), k -> new ArrayList<>()).add(p);
                }
            }
        }
        Map<UUID, Map<UUID, PolicySnapshot.Account>> accountsByOrg = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, org_id, name, kind, role FROM accounts");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                UUID id = (UUID) rs.getObject(1);
                UUID org = (UUID) rs.getObject(2);
                accountsByOrg.computeIfAbsent(org, k -> new HashMap<>()).put(id, new PolicySnapshot.Account(id, org,
                        rs.getString(3), rs.getString(4), rs.getString(5), List.copyOf(assignedByAccount.getOrDefault(id, List.of()))));
            }
        }
        Map<UUID, Map<String, UUID>> appsByOrg = new HashMap<>();
        Map<UUID, Map<UUID, String>> appModesByOrg = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, org_id, name, audit_mode FROM apps");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                UUID org = (UUID) rs.getObject(2);
                appsByOrg.computeIfAbsent(org, k -> new HashMap<>()).put(rs.getString(3), (UUID) rs.getObject(1));
                if (rs.getString(4) != null) {
                    appModesByOrg.computeIfAbsent(org, k -> new HashMap<>()).put((UUID) rs.getObject(1), rs.getString(4));
                }
            }
        }
        Map<String, PolicySnapshot.Org> byName = new HashMap<>();
        Map<UUID, PolicySnapshot.Org> byId = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, name, require_sso, audit_mode FROM organisations");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                UUID id = (UUID) rs.getObject(1);
                PolicySnapshot.Org o = new PolicySnapshot.Org(id, rs.getString(2), rs.getBoolean(3),
                        List.copyOf(globalByOrg.getOrDefault(id, List.of())), Map.copyOf(appsByOrg.getOrDefault(id, Map.of())),
                        Map.copyOf(accountsByOrg.getOrDefault(id, Map.of())), rs.getString(4),
                        Map.copyOf(appModesByOrg.getOrDefault(id, Map.of())));
                byName.put(o.name(), o);
                byId.put(id, o);
            }
        }
        Map<TokenHash, PolicySnapshot.Token> tokens = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT t.id, t.token_hash, t.account_id, a.org_id, t.expires_at, t.revoked_at"
                        + " FROM api_tokens t JOIN accounts a ON a.id = t.account_id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                tokens.put(TokenHash.of(rs.getBytes(2)), new PolicySnapshot.Token((UUID) rs.getObject(1),
                        (UUID) rs.getObject(3), (UUID) rs.getObject(4), instant(rs.getTimestamp(5)), instant(rs.getTimestamp(6))));
            }
        }
        return new PolicySnapshot(Map.copyOf(byName), Map.copyOf(byId), Map.copyOf(tokens), now);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
