package dev.gatehouse.core.admin;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.net.Cidr;
import dev.gatehouse.core.net.IpAddress;
import dev.gatehouse.core.policy.CompiledPolicy;
import dev.gatehouse.core.policy.Decision;
import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.core.policy.PolicySnapshotLoader;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Network access policies: create, change, delete, assign, check. Every change runs in one
 * transaction and passes the lockout guard ({@link LockoutGuard}) before it commits: if the change would deny an
 * address from which one of its admins made an allowed request in the last 24 hours, and which the policies allowed
 * before it, the change is rolled back with those addresses named, unless forced.
 */
public final class Policies {
    private final DataSource ds;
    private final String actor;

    public Policies(DataSource ds, String actor) {
        this.ds = ds;
        this.actor = actor;
    }

    /** An admin account and an address it made an allowed request from, which a change would deny. */
    public record LockedOut(String account, String ip) {
    }

    /** A line of {@code policy list}. */
    public record PolicySummary(String name, boolean isGlobal, UUID id, long allow, long deny, long accounts,
                                Instant updatedAt) {
    }

    /** A policy with its entries and the accounts it is assigned to ({@code policy show}, and what a change leaves). */
    public record PolicyView(String name, String org, UUID id, boolean isGlobal, String description, String createdBy,
                             Instant updatedAt, String updatedBy, List<String> allow, List<String> deny,
                             List<String> accounts) {
    }

    private record PolicyHead(String name, String org, UUID id, boolean isGlobal, String description, String createdBy,
                              Instant updatedAt, String updatedBy) {
    }

    private record Network(String network) {
    }

    private record Name(String name) {
    }

    /** {@code policy check}: the decision for an address, and the policies and entries that made it. */
    public record PolicyCheck(String ip, String decision, String reason, List<ApplicablePolicy> applicablePolicies) {
    }

    public record ApplicablePolicy(String policy, boolean global, List<MatchingEntry> matchingEntries,
                                   boolean hasAllowEntries) {
    }

    public record MatchingEntry(String action, String network) {
    }

    /** Refused by the lockout guard; exit 1, nothing changed. */
    public static final class WouldLockOut extends GatehouseException {
        private static final long serialVersionUID = 1L;
        private final transient List<LockedOut> lockedOut;

        WouldLockOut(List<LockedOut> lockedOut) {
            super("refused: this would deny admins who made allowed requests in the last 24 hours from "
                    + LockoutGuard.describe(lockedOut) + "; nothing changed (use --force to do it anyway)");
            this.lockedOut = List.copyOf(lockedOut);
        }

        /** Every (account, ip) the change would lock out. */
        public List<LockedOut> lockedOut() {
            return lockedOut;
        }
    }

    public UUID create(String org, String name, boolean global, List<Cidr> allow, List<Cidr> deny, String description,
                       boolean force) {
        return Tx.run(ds, c -> {
            UUID orgId = Lookup.org(c, org);
            LockoutGuard guard = LockoutGuard.before(c, orgId, force);
            UUID id = (UUID) Sql.insertReturning(c, "policy '" + name + "' in organisation '" + org + "'",
                    "INSERT INTO network_access_policies (org_id, name, description, is_global, created_by, updated_by)"
                            + " VALUES (?, ?, ?, ?, ?, ?) RETURNING id", orgId, name, description, global, actor, actor);
            addEntries(c, id, "allow", allow);
            addEntries(c, id, "deny", deny);
            guard.check(c);
            AdminLog.record(c, actor, "policy create", org + "/" + name, null, describe(c, id));
            return id;
        });
    }

    /** Adds and removes entries and changes is_global (null: unchanged). */
    public PolicyView update(String org, String name, Boolean global, List<Cidr> addAllow, List<Cidr> addDeny,
                             List<Cidr> remove, boolean force) {
        return Tx.run(ds, c -> {
            UUID orgId = Lookup.org(c, org);
            UUID id = Lookup.policy(c, orgId, org, name);
            LockoutGuard guard = LockoutGuard.before(c, orgId, force);
            PolicyView before = describe(c, id);
            if (global != null) {
                Sql.update(c, "UPDATE network_access_policies SET is_global = ? WHERE id = ?", global, id);
            }
            addEntries(c, id, "allow", addAllow);
            addEntries(c, id, "deny", addDeny);
            for (Cidr r : remove) {
                if (Sql.update(c, "DELETE FROM network_policy_entries WHERE policy_id = ? AND network = ?::cidr", id,
                        r.toString()) == 0) {
                    throw new NotFound("policy '" + name + "' has no entry " + r);
                }
            }
            Sql.update(c, "UPDATE network_access_policies SET updated_at = now(), updated_by = ? WHERE id = ?", actor, id);
            guard.check(c);
            PolicyView after = describe(c, id);
            AdminLog.record(c, actor, "policy update", org + "/" + name, before, after);
            return after;
        });
    }

    public void delete(String org, String name, boolean force) {
        Tx.run(ds, c -> {
            UUID orgId = Lookup.org(c, org);
            UUID id = Lookup.policy(c, orgId, org, name);
            LockoutGuard guard = LockoutGuard.before(c, orgId, force);
            PolicyView before = describe(c, id);
            Sql.update(c, "DELETE FROM network_access_policies WHERE id = ?", id);
            guard.check(c);
            AdminLog.record(c, actor, "policy delete", org + "/" + name, before, null);
            return null;
        });
    }

    public void assign(String org, String account, String policy, boolean assign, boolean force) {
        Tx.run(ds, c -> {
            UUID orgId = Lookup.org(c, org);
            UUID accountId = Lookup.account(c, orgId, org, account);
            UUID policyId = Lookup.policy(c, orgId, org, policy);
            LockoutGuard guard = LockoutGuard.before(c, orgId, force);
            int n = assign
                    ? Sql.update(c, "INSERT INTO account_network_policies (org_id, account_id, policy_id, assigned_by)"
                    + " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", orgId, accountId, policyId, actor)
                    : Sql.update(c, "DELETE FROM account_network_policies WHERE account_id = ? AND policy_id = ?",
                    accountId, policyId);
            if (n == 0) {
                throw new GatehouseException("policy '" + policy + "' is " + (assign ? "already" : "not") + " assigned to '"
                        + account + "'");
            }
            guard.check(c);
            AdminLog.record(c, actor, assign ? "policy assign" : "policy unassign", org + "/" + account,
                    null, Map.of("policy", policy));
            return null;
        });
    }

    public List<PolicySummary> list(String org) {
        return Tx.run(ds, c -> Rows.list(c, PolicySummary.class, "SELECT p.name, p.is_global, p.id,"
                + " (SELECT count(*) FROM network_policy_entries e WHERE e.policy_id = p.id AND e.action = 'allow') AS allow,"
                + " (SELECT count(*) FROM network_policy_entries e WHERE e.policy_id = p.id AND e.action = 'deny') AS deny,"
                + " (SELECT count(*) FROM account_network_policies a WHERE a.policy_id = p.id) AS accounts, p.updated_at"
                + " FROM network_access_policies p WHERE p.org_id = ? ORDER BY p.name", Lookup.org(c, org)));
    }

    public PolicyView show(String org, String name) {
        return Tx.run(ds, c -> describe(c, Lookup.policy(c, Lookup.org(c, org), org, name)));
    }

    /** The decision for an address, with the policies and entries that made it. */
    public PolicyCheck check(String org, String account, IpAddress ip) {
        return Tx.run(ds, c -> {
            UUID orgId = Lookup.org(c, org);
            UUID accountId = account == null ? null : Lookup.account(c, orgId, org, account);
            PolicySnapshot s = PolicySnapshotLoader.loadInTransaction(c, List.of(orgId));
            PolicySnapshot.Org o = s.org(orgId);
            PolicySnapshot.Account a = accountId == null ? null : o.accounts().get(accountId);
            Decision d = s.decide(o, a, ip);
            List<ApplicablePolicy> applicable = new ArrayList<>();
            List<CompiledPolicy> all = new ArrayList<>(o.globalPolicies());
            if (a != null) {
                all.addAll(a.assigned());
            }
            for (var p : all) {
                applicable.add(new ApplicablePolicy(p.name(), p.global(), Rows.list(c, MatchingEntry.class,
                        "SELECT e.action, e.network::text AS network FROM network_policy_entries e"
                                + " WHERE e.policy_id = ? AND e.network >>= ?::inet ORDER BY e.action, e.network",
                        p.id(), ip.toString()), p.hasAllow()));
            }
            return new PolicyCheck(ip.toString(), d.allowed() ? "allow" : "deny", d.reason(), applicable);
        });
    }

    private static void addEntries(Connection c, UUID policy, String action, List<Cidr> cidrs) throws SQLException {
        for (Cidr cidr : cidrs) {
            Sql.insertReturning(c, action + " entry " + cidr, "INSERT INTO network_policy_entries (policy_id, action, network)"
                    + " VALUES (?, ?, ?::cidr) RETURNING id", policy, action, cidr.toString());
        }
    }

    private static PolicyView describe(Connection c, UUID id) throws SQLException {
        PolicyHead h = Rows.one(c, PolicyHead.class, "SELECT p.name, o.name AS org, p.id, p.is_global, p.description,"
                + " p.created_by, p.updated_at, p.updated_by FROM network_access_policies p JOIN organisations o"
                + " ON o.id = p.org_id WHERE p.id = ?", id);
        List<String> allow = Rows.list(c, Network.class, "SELECT e.network::text AS network FROM network_policy_entries e"
                + " WHERE e.policy_id = ? AND e.action = 'allow' ORDER BY e.network", id).stream().map(Network::network).toList();
        List<String> deny = Rows.list(c, Network.class, "SELECT e.network::text AS network FROM network_policy_entries e"
                + " WHERE e.policy_id = ? AND e.action = 'deny' ORDER BY e.network", id).stream().map(Network::network).toList();
        List<String> accounts = Rows.list(c, Name.class, "SELECT a.name FROM account_network_policies x JOIN accounts a"
                + " ON a.id = x.account_id WHERE x.policy_id = ? ORDER BY a.name", id).stream().map(Name::name).toList();
        return new PolicyView(h.name(), h.org(), h.id(), h.isGlobal(), h.description(), h.createdBy(), h.updatedAt(),
                h.updatedBy(), allow, deny, accounts);
    }
}
