package dev.gatehouse.core.admin;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.net.Cidr;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Policy as code against the database: {@link #export} writes the installation (or one organisation) as a
 * {@link Manifest}; {@link #plan} says what applying one would change; {@link #apply} changes it, all in one
 * transaction with its {@code admin_actions} row, judged by the lockout guard — so a file applies wholly or not at
 * all, and exporting then applying changes nothing.
 *
 * <p>What a manifest names is made exactly as written: an organisation and its apps exist; a policy has exactly the
 * entries, {@code global} flag and description written; an account is assigned exactly the policies listed. What it
 * does not name is left alone, unless {@code prune}: then the organisations, apps and policies it does not name are
 * deleted, and the assignments of accounts it does not list removed (accounts themselves are never made nor
 * deleted here: they carry tokens and sign-ins).
 *
 * <p>At fleet scale (10 000 organisations × 100 entries) the state is read with one query per table and written with
 * one statement per kind of change (arrays unnested server-side, in chunks), not a statement per row.
 */
public final class Manifests {
    /** Rows per statement when writing entries and assignments. */
    private static final int CHUNK = 20_000;

    private final DataSource ds;
    private final String actor;

    public Manifests(DataSource ds, String actor) {
        this.ds = ds;
        this.actor = actor;
    }

    /**
     * One change a manifest makes.
     *
     * @param op      {@code add}, {@code change} or {@code remove}
     * @param kind    {@code organisation}, {@code app}, {@code policy} or {@code account} (its assignments)
     * @param org     the organisation's name
     * @param name    the app's, policy's or account's name; the organisation's for an organisation
     * @param details for a policy: {@code global}, {@code description}, {@code +allow CIDR}, {@code -deny CIDR}...;
     *                for an account: {@code +POLICY}, {@code -POLICY}; else empty
     */
    public record Change(String op, String kind, String org, String name, List<String> details) {
    }

    /**
     * What applying a manifest changes (or changed).
     *
     * @param applied false for a plan (nothing changed)
     */
    public record Result(List<Change> changes, int added, int changed, int removed, boolean applied) {
        public boolean isEmpty() {
            return changes.isEmpty();
        }
    }

    /** The installation, or one organisation ({@code org} non-null), as a manifest. */
    public Manifest export(String org) {
        return Tx.run(ds, c -> {
            State s = State.read(c, org == null ? null : List.of(org), org == null);
            if (org != null && s.orgsByName.isEmpty()) {
                throw new NotFound("no organisation named '" + org + "'");
            }
            List<Manifest.Org> orgs = new ArrayList<>();
            for (OrgRow o : s.orgsByName.values()) {
                List<Manifest.Policy> policies = new ArrayList<>();
                for (PolicyRow p : o.policies.values()) {
                    policies.add(new Manifest.Policy(p.name, p.global, p.description, sortedNetworks(p.allow),
                            sortedNetworks(p.deny)));
                }
                List<Manifest.Account> accounts = new ArrayList<>();
                for (AccountRow a : o.accounts.values()) {
                    if (!a.policies.isEmpty()) {
                        accounts.add(new Manifest.Account(a.name, List.copyOf(new TreeSet<>(a.policies))));
                    }
                }
                orgs.add(new Manifest.Org(o.name, List.copyOf(o.apps), policies, accounts));
            }
            return new Manifest(orgs);
        });
    }

    /** What {@link #apply} would change; changes nothing. */
    public Result plan(Manifest manifest, boolean prune) {
        Manifest m = manifest.validated();
        return Tx.run(ds, c -> {
            Result r = diff(m, State.read(c, names(m), prune), prune).result(false);
            c.rollback();
            return r;
        });
    }

    /**
     * Makes the database what the manifest says, in one transaction: refused as a whole (nothing changed) when an
     * account it names does not exist, when an assignment names a policy that would not exist, or — unless
     * {@code force} — when the lockout guard finds an admin the change would lock out.
     *
     * @param source where the manifest came from (a file name), for admin_actions
     */
    public Result apply(Manifest manifest, boolean prune, boolean force, String source) {
        Manifest m = manifest.validated();
        return Tx.run(ds, c -> {
            State s = State.read(c, names(m), prune);
            Diff d = diff(m, s, prune);
            if (d.changes.isEmpty()) {
                return d.result(false);
            }
            // the guard watches the organisations that stay; a deleted one has no policy left to lock anyone out
            List<UUID> judged = new ArrayList<>();
            for (OrgRow o : s.orgsByName.values()) {
                if (!d.orgsToDelete.contains(o.id)) {
                    judged.add(o.id);
                }
            }
            LockoutGuard guard = LockoutGuard.before(c, judged, force);
            d.execute(c, actor);
            guard.check(c);
            Result r = d.result(true);
            Map<String, Object> after = new LinkedHashMap<>();
            after.put("added", r.added());
            after.put("changed", r.changed());
            after.put("removed", r.removed());
            after.put("prune", prune);
            after.put("organisations", new TreeSet<>(d.touchedOrgs));
            AdminLog.record(c, actor, "apply", source, null, after);
            return r;
        });
    }

    private static List<String> names(Manifest m) {
        return m.organisations().stream().map(Manifest.Org::name).toList();
    }

    private static List<String> sortedNetworks(Collection<String> networks) {
        return networks.stream().map(Cidr::parse).sorted(Manifest::compareNetworks).map(Cidr::toString).toList();
    }

    // ---- the database's state, as far as a manifest speaks of it

    private static final class OrgRow {
        final UUID id;
        final String name;
        final TreeSet<String> apps = new TreeSet<>();
        final Map<String, UUID> appIds = new HashMap<>();
        final TreeMap<String, PolicyRow> policies = new TreeMap<>();
        final TreeMap<String, AccountRow> accounts = new TreeMap<>();

        OrgRow(UUID id, String name) {
            this.id = id;
            this.name = name;
        }
    }

    private static final class PolicyRow {
        final UUID id;
        final String name;
        final boolean global;
        final String description;
        final Set<String> allow = new HashSet<>();
        final Set<String> deny = new HashSet<>();

        PolicyRow(UUID id, String name, boolean global, String description) {
            this.id = id;
            this.name = name;
            this.global = global;
            this.description = description;
        }
    }

    private static final class AccountRow {
        final UUID id;
        final String name;
        final Set<String> policies = new HashSet<>();

        AccountRow(UUID id, String name) {
            this.id = id;
            this.name = name;
        }
    }

    private static final class State {
        final TreeMap<String, OrgRow> orgsByName = new TreeMap<>();

        /** The organisations named (all of them when {@code all}), with everything a manifest names. */
        static State read(Connection c, List<String> names, boolean all) throws SQLException {
            State s = new State();
            Map<UUID, OrgRow> byId = new HashMap<>();
            String where = all ? "" : " WHERE name = ANY(?)";
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name FROM organisations" + where)) {
                if (!all) {
                    ps.setArray(1, c.createArrayOf("text", names.toArray()));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        OrgRow o = new OrgRow((UUID) rs.getObject(1), rs.getString(2));
                        s.orgsByName.put(o.name, o);
                        byId.put(o.id, o);
                    }
                }
            }
            if (byId.isEmpty()) {
                return s;
            }
            Array ids = c.createArrayOf("uuid", byId.keySet().toArray());
            Map<UUID, PolicyRow> policies = new HashMap<>();
            Map<UUID, AccountRow> accounts = new HashMap<>();
            query(c, "SELECT org_id, id, name FROM apps WHERE org_id = ANY(?)", ids, rs -> {
                OrgRow o = byId.get((UUID) rs.getObject(1));
                o.apps.add(rs.getString(3));
                o.appIds.put(rs.getString(3), (UUID) rs.getObject(2));
            });
            query(c, "SELECT org_id, id, name, is_global, description FROM network_access_policies"
                    + " WHERE org_id = ANY(?)", ids, rs -> {
                PolicyRow p = new PolicyRow((UUID) rs.getObject(2), rs.getString(3), rs.getBoolean(4), rs.getString(5));
                byId.get((UUID) rs.getObject(1)).policies.put(p.name, p);
                policies.put(p.id, p);
            });
            query(c, "SELECT e.policy_id, e.action, e.network::text FROM network_policy_entries e"
                    + " JOIN network_access_policies p ON p.id = e.policy_id WHERE p.org_id = ANY(?)", ids, rs -> {
                PolicyRow p = policies.get((UUID) rs.getObject(1));
                String network = Cidr.parse(rs.getString(3)).toString(); // as a manifest writes it
                (rs.getString(2).equals("allow") ? p.allow : p.deny).add(network);
            });
            query(c, "SELECT org_id, id, name FROM accounts WHERE org_id = ANY(?)", ids, rs -> {
                AccountRow a = new AccountRow((UUID) rs.getObject(2), rs.getString(3));
                byId.get((UUID) rs.getObject(1)).accounts.put(a.name, a);
                accounts.put(a.id, a);
            });
            query(c, "SELECT account_id, policy_id FROM account_network_policies WHERE org_id = ANY(?)", ids, rs ->
                    accounts.get((UUID) rs.getObject(1)).policies.add(policies.get((UUID) rs.getObject(2)).name));
            return s;
        }

        interface RowReader {
            void read(ResultSet rs) throws SQLException;
        }

        /** Runs a query of one array parameter through a cursor (the connection is in a transaction). */
        static void query(Connection c, String sql, Array param, RowReader reader) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setFetchSize(10_000);
                ps.setArray(1, param);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        reader.read(rs);
                    }
                }
            }
        }
    }

    // ---- the difference, and its execution

    /** An entry to add or remove: a policy (by its row, or by name when it is new), an action and a network. */
    private record Entry(UUID policy, String org, String policyName, String action, String network) {
    }

    private record Assignment(UUID org, UUID account, UUID policy, String orgName, String policyName) {
    }

    private static final class Diff {
        final List<Change> changes = new ArrayList<>();
        final Set<String> touchedOrgs = new HashSet<>();
        final Set<UUID> orgsToDelete = new HashSet<>();
        final List<String> orgsToCreate = new ArrayList<>();
        final List<Object[]> appsToCreate = new ArrayList<>(); // {org id or null, org name, app}
        final Set<UUID> appsToDelete = new HashSet<>();
        final List<Object[]> policiesToCreate = new ArrayList<>(); // {org id or null, org name, Manifest.Policy}
        final Set<UUID> policiesToDelete = new HashSet<>();
        final List<Object[]> policiesToUpdate = new ArrayList<>(); // {policy id, global, description}
        final List<Entry> entriesToAdd = new ArrayList<>();
        final List<Entry> entriesToRemove = new ArrayList<>();
        final List<Assignment> assignmentsToAdd = new ArrayList<>();
        final List<Assignment> assignmentsToRemove = new ArrayList<>();
        int added;
        int changed;
        int removed;

        void change(String op, String kind, String org, String name, List<String> details) {
            changes.add(new Change(op, kind, org, name, details));
            touchedOrgs.add(org);
            switch (op) {
                case "add" -> added++;
                case "change" -> changed++;
                default -> removed++;
            }
        }

        Result result(boolean applied) {
            return new Result(List.copyOf(changes), added, changed, removed, applied);
        }

        void execute(Connection c, String actor) throws SQLException {
            if (!orgsToDelete.isEmpty()) {
                update(c, "DELETE FROM organisations WHERE id = ANY(?)", c.createArrayOf("uuid", orgsToDelete.toArray()));
            }
            Map<String, UUID> newOrgs = new HashMap<>();
            if (!orgsToCreate.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO organisations (name)"
                        + " SELECT unnest(?::text[]) RETURNING id, name")) {
                    ps.setArray(1, c.createArrayOf("text", orgsToCreate.toArray()));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            newOrgs.put(rs.getString(2), (UUID) rs.getObject(1));
                        }
                    }
                } catch (SQLException e) {
                    throw inWords(e, "an organisation");
                }
            }
            if (!appsToDelete.isEmpty()) {
                update(c, "DELETE FROM apps WHERE id = ANY(?)", c.createArrayOf("uuid", appsToDelete.toArray()));
            }
            if (!appsToCreate.isEmpty()) {
                List<Object> orgs = new ArrayList<>();
                List<Object> names = new ArrayList<>();
                for (Object[] a : appsToCreate) {
                    orgs.add(a[0] != null ? a[0] : newOrgs.get((String) a[1]));
                    names.add(a[2]);
                }
                try {
                    update(c, "INSERT INTO apps (org_id, name) SELECT * FROM unnest(?::uuid[], ?::text[])",
                            c.createArrayOf("uuid", orgs.toArray()), c.createArrayOf("text", names.toArray()));
                } catch (SQLException e) {
                    throw inWords(e, "an app");
                }
            }
            if (!policiesToDelete.isEmpty()) {
                update(c, "DELETE FROM network_access_policies WHERE id = ANY(?)",
                        c.createArrayOf("uuid", policiesToDelete.toArray()));
            }
            Map<String, UUID> newPolicies = new HashMap<>(); // "org\0policy"
            if (!policiesToCreate.isEmpty()) {
                List<Object> orgs = new ArrayList<>();
                List<Object> names = new ArrayList<>();
                List<Object> descriptions = new ArrayList<>();
                List<Object> globals = new ArrayList<>();
                Map<UUID, String> orgNames = new HashMap<>();
                for (Object[] p : policiesToCreate) {
                    UUID org = p[0] != null ? (UUID) p[0] : newOrgs.get((String) p[1]);
                    orgNames.put(org, (String) p[1]);
                    Manifest.Policy policy = (Manifest.Policy) p[2];
                    orgs.add(org);
                    names.add(policy.name());
                    descriptions.add(policy.description());
                    globals.add(policy.global());
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO network_access_policies"
                        + " (org_id, name, description, is_global, created_by, updated_by)"
                        + " SELECT o, n, d, g, ?, ? FROM unnest(?::uuid[], ?::text[], ?::text[], ?::boolean[]) AS t(o, n, d, g)"
                        + " RETURNING id, org_id, name")) {
                    ps.setString(1, actor);
                    ps.setString(2, actor);
                    ps.setArray(3, c.createArrayOf("uuid", orgs.toArray()));
                    ps.setArray(4, c.createArrayOf("text", names.toArray()));
                    ps.setArray(5, c.createArrayOf("text", descriptions.toArray()));
                    ps.setArray(6, c.createArrayOf("boolean", globals.toArray()));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            newPolicies.put(orgNames.get((UUID) rs.getObject(2)) + "\0" + rs.getString(3),
                                    (UUID) rs.getObject(1));
                        }
                    }
                } catch (SQLException e) {
                    throw inWords(e, "a policy");
                }
            }
            if (!policiesToUpdate.isEmpty()) {
                List<Object> ids = new ArrayList<>();
                List<Object> globals = new ArrayList<>();
                List<Object> descriptions = new ArrayList<>();
                for (Object[] p : policiesToUpdate) {
                    ids.add(p[0]);
                    globals.add(p[1]);
                    descriptions.add(p[2]);
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE network_access_policies p SET is_global = t.g,"
                        + " description = t.d, updated_at = now(), updated_by = ?"
                        + " FROM unnest(?::uuid[], ?::boolean[], ?::text[]) AS t(id, g, d) WHERE p.id = t.id")) {
                    ps.setString(1, actor);
                    ps.setArray(2, c.createArrayOf("uuid", ids.toArray()));
                    ps.setArray(3, c.createArrayOf("boolean", globals.toArray()));
                    ps.setArray(4, c.createArrayOf("text", descriptions.toArray()));
                    ps.executeUpdate();
                }
            }
            for (List<Entry> chunk : chunks(entriesToRemove)) {
                Object[][] cols = entryColumns(chunk, newPolicies);
                update(c, "DELETE FROM network_policy_entries e USING unnest(?::uuid[], ?::text[], ?::cidr[]) AS t(p, a, n)"
                        + " WHERE e.policy_id = t.p AND e.action = t.a AND e.network = t.n",
                        c.createArrayOf("uuid", cols[0]), c.createArrayOf("text", cols[1]), c.createArrayOf("text", cols[2]));
            }
            for (List<Entry> chunk : chunks(entriesToAdd)) {
                Object[][] cols = entryColumns(chunk, newPolicies);
                update(c, "INSERT INTO network_policy_entries (policy_id, action, network)"
                        + " SELECT * FROM unnest(?::uuid[], ?::text[], ?::cidr[])",
                        c.createArrayOf("uuid", cols[0]), c.createArrayOf("text", cols[1]), c.createArrayOf("text", cols[2]));
            }
            for (List<Assignment> chunk : chunks(assignmentsToRemove)) {
                Object[][] cols = assignmentColumns(chunk, newPolicies);
                update(c, "DELETE FROM account_network_policies ap USING unnest(?::uuid[], ?::uuid[]) AS t(a, p)"
                        + " WHERE ap.account_id = t.a AND ap.policy_id = t.p",
                        c.createArrayOf("uuid", cols[1]), c.createArrayOf("uuid", cols[2]));
            }
            for (List<Assignment> chunk : chunks(assignmentsToAdd)) {
                Object[][] cols = assignmentColumns(chunk, newPolicies);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO account_network_policies"
                        + " (org_id, account_id, policy_id, assigned_by)"
                        + " SELECT o, a, p, ? FROM unnest(?::uuid[], ?::uuid[], ?::uuid[]) AS t(o, a, p)")) {
                    ps.setString(1, actor);
                    ps.setArray(2, c.createArrayOf("uuid", cols[0]));
                    ps.setArray(3, c.createArrayOf("uuid", cols[1]));
                    ps.setArray(4, c.createArrayOf("uuid", cols[2]));
                    ps.executeUpdate();
                }
            }
        }

        private static Object[][] entryColumns(List<Entry> chunk, Map<String, UUID> newPolicies) {
            Object[][] cols = {new Object[chunk.size()], new Object[chunk.size()], new Object[chunk.size()]};
            for (int i = 0; i < chunk.size(); i++) {
                Entry e = chunk.get(i);
                cols[0][i] = e.policy() != null ? e.policy() : newPolicies.get(e.org() + "\0" + e.policyName());
                cols[1][i] = e.action();
                cols[2][i] = e.network();
            }
            return cols;
        }

        private static Object[][] assignmentColumns(List<Assignment> chunk, Map<String, UUID> newPolicies) {
            Object[][] cols = {new Object[chunk.size()], new Object[chunk.size()], new Object[chunk.size()]};
            for (int i = 0; i < chunk.size(); i++) {
                Assignment a = chunk.get(i);
                cols[0][i] = a.org();
                cols[1][i] = a.account();
                cols[2][i] = a.policy() != null ? a.policy() : newPolicies.get(a.orgName() + "\0" + a.policyName());
            }
            return cols;
        }

        private static <T> List<List<T>> chunks(List<T> all) {
            List<List<T>> out = new ArrayList<>();
            for (int i = 0; i < all.size(); i += CHUNK) {
                out.add(all.subList(i, Math.min(all.size(), i + CHUNK)));
            }
            return out;
        }

        private static void update(Connection c, String sql, Array... args) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < args.length; i++) {
                    ps.setArray(i + 1, args[i]);
                }
                ps.executeUpdate();
            }
        }

        private static SQLException inWords(SQLException e, String what) {
            if ("23514".equals(e.getSQLState())) { // a CHECK: the database's own words name the column
                throw new GatehouseException(what + ": " + e.getMessage().lines().findFirst().orElse("invalid value")
                        .replaceFirst("^ERROR: ", ""));
            }
            return e;
        }
    }

    private static Diff diff(Manifest m, State s, boolean prune) {
        Diff d = new Diff();
        Set<String> named = new HashSet<>();
        for (Manifest.Org want : m.organisations()) {
            named.add(want.name());
            OrgRow have = s.orgsByName.get(want.name());
            if (have == null) {
                d.change("add", "organisation", want.name(), want.name(), List.of());
                d.orgsToCreate.add(want.name());
            }
            UUID orgId = have == null ? null : have.id;
            // apps
            for (String app : want.apps()) {
                if (have == null || !have.apps.contains(app)) {
                    d.change("add", "app", want.name(), app, List.of());
                    d.appsToCreate.add(new Object[] {orgId, want.name(), app});
                }
            }
            if (prune && have != null) {
                Set<String> wanted = new HashSet<>(want.apps());
                for (String app : have.apps) {
                    if (!wanted.contains(app)) {
                        d.change("remove", "app", want.name(), app, List.of());
                        d.appsToDelete.add(have.appIds.get(app));
                    }
                }
            }
            // policies and their entries
            Set<String> policiesAfter = new HashSet<>();
            for (Manifest.Policy p : want.policies()) {
                policiesAfter.add(p.name());
                PolicyRow row = have == null ? null : have.policies.get(p.name());
                if (row == null) {
                    List<String> details = new ArrayList<>();
                    if (p.global()) {
                        details.add("global");
                    }
                    if (p.description() != null) {
                        details.add("description");
                    }
                    p.allow().forEach(n -> details.add("+allow " + n));
                    p.deny().forEach(n -> details.add("+deny " + n));
                    d.change("add", "policy", want.name(), p.name(), details);
                    d.policiesToCreate.add(new Object[] {orgId, want.name(), p});
                    p.allow().forEach(n -> d.entriesToAdd.add(new Entry(null, want.name(), p.name(), "allow", n)));
                    p.deny().forEach(n -> d.entriesToAdd.add(new Entry(null, want.name(), p.name(), "deny", n)));
                    continue;
                }
                List<String> details = new ArrayList<>();
                if (row.global != p.global()) {
                    details.add(p.global() ? "global" : "not global");
                }
                if (!Objects.equals(row.description, p.description())) {
                    details.add("description");
                }
                entries(d, row, want.name(), "allow", row.allow, p.allow(), details);
                entries(d, row, want.name(), "deny", row.deny, p.deny(), details);
                if (!details.isEmpty()) {
                    d.change("change", "policy", want.name(), p.name(), details);
                    d.policiesToUpdate.add(new Object[] {row.id, p.global(), p.description()});
                }
            }
            if (have != null) {
                for (PolicyRow row : have.policies.values()) {
                    if (!policiesAfter.contains(row.name)) {
                        if (prune) {
                            d.change("remove", "policy", want.name(), row.name, List.of());
                            d.policiesToDelete.add(row.id);
                        } else {
                            policiesAfter.add(row.name); // stays: assignments may name it
                        }
                    }
                }
            }
            // assignments
            Set<String> listed = new HashSet<>();
            for (Manifest.Account a : want.accounts()) {
                listed.add(a.name());
                AccountRow row = have == null ? null : have.accounts.get(a.name());
                if (row == null) {
                    throw new NotFound("organisation '" + want.name() + "' has no account named '" + a.name()
                            + "' (a manifest assigns policies to existing accounts: `account create` makes one)");
                }
                List<String> details = new ArrayList<>();
                for (String policy : a.policies()) {
                    if (!policiesAfter.contains(policy)) {
                        throw new NotFound("organisation '" + want.name() + "', account '" + a.name()
                                + "': no policy named '" + policy + "'");
                    }
                    if (!row.policies.contains(policy)) {
                        details.add("+" + policy);
                        PolicyRow p = have.policies.get(policy);
                        d.assignmentsToAdd.add(new Assignment(have.id, row.id, p == null ? null : p.id, want.name(),
                                policy));
                    }
                }
                Set<String> wanted = new HashSet<>(a.policies());
                for (String policy : new TreeSet<>(row.policies)) {
                    if (!wanted.contains(policy)) {
                        details.add("-" + policy);
                        removeAssignment(d, have, row, policy);
                    }
                }
                if (!details.isEmpty()) {
                    d.change("change", "account", want.name(), a.name(), details);
                }
            }
            if (prune && have != null) {
                for (AccountRow row : have.accounts.values()) {
                    if (!listed.contains(row.name) && !row.policies.isEmpty()) {
                        List<String> details = new ArrayList<>();
                        for (String policy : new TreeSet<>(row.policies)) {
                            details.add("-" + policy);
                            removeAssignment(d, have, row, policy);
                        }
                        d.change("change", "account", want.name(), row.name, details);
                    }
                }
            }
        }
        if (prune) {
            for (OrgRow o : s.orgsByName.values()) {
                if (!named.contains(o.name)) {
                    d.change("remove", "organisation", o.name, o.name, List.of());
                    d.orgsToDelete.add(o.id);
                }
            }
        }
        return d;
    }

    /** An assignment to remove, unless its policy goes anyway (its assignments with it). */
    private static void removeAssignment(Diff d, OrgRow org, AccountRow account, String policy) {
        PolicyRow p = org.policies.get(policy);
        if (!d.policiesToDelete.contains(p.id)) {
            d.assignmentsToRemove.add(new Assignment(org.id, account.id, p.id, org.name, policy));
        }
    }

    private static void entries(Diff d, PolicyRow row, String org, String action, Set<String> have, List<String> want,
                                List<String> details) {
        Set<String> wanted = new HashSet<>(want);
        for (String n : want) {
            if (!have.contains(n)) {
                details.add("+" + action + " " + n);
                d.entriesToAdd.add(new Entry(row.id, org, row.name, action, n));
            }
        }
        for (String n : sortedNetworks(have)) {
            if (!wanted.contains(n)) {
                details.add("-" + action + " " + n);
                d.entriesToRemove.add(new Entry(row.id, org, row.name, action, n));
            }
        }
    }
}
