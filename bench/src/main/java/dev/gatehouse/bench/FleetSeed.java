package dev.gatehouse.bench;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * Organisations at fleet scale, made directly in SQL (generate_series) so that a million entries take seconds, not
 * the hours a command per organisation would: {@code Org1} … {@code OrgN}, each with one global policy
 * {@code offices} allowing {@code K} distinct /24 networks. The networks are scattered over the IPv4 space (the
 * /24 number is a multiplicative hash of the entry's ordinal, a bijection modulo 2^24), so that an organisation's
 * entries do not merge into one range, as consecutive ones would.
 */
final class FleetSeed {
    private FleetSeed() {
    }

    /** Seeds {@code orgs} × {@code cidrsPerOrg} (at most 16 777 216 entries in all) and vacuums. */
    static void seed(DataSource ds, int orgs, int cidrsPerOrg) throws SQLException {
        if ((long) orgs * cidrsPerOrg > 1 << 24) {
            throw new IllegalArgumentException("at most 2^24 distinct /24 networks");
        }
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("INSERT INTO organisations (name) SELECT 'Org' || i FROM generate_series(1, " + orgs + ") i");
            s.execute("INSERT INTO network_access_policies (org_id, name, is_global, created_by, updated_by)"
                    + " SELECT id, 'offices', true, 'bench', 'bench' FROM organisations WHERE name ~ '^Org[0-9]+$'");
            // the entries without their per-row triggers (superuser only): no gateway listens yet, and each
            // organisation's policy row has just announced it
            s.execute("SET LOCAL session_replication_role = replica");
            s.execute("INSERT INTO network_policy_entries (policy_id, action, network)"
                    + " SELECT p.id, 'allow', set_masklen(('0.0.0.0'::inet"
                    + "     + (((p.n - 1) * " + cidrsPerOrg + " + j) * 2654435761 % 16777216) * 256)::cidr, 24)"
                    + " FROM (SELECT np.id, row_number() OVER (ORDER BY np.id) AS n FROM network_access_policies np"
                    + "       JOIN organisations o ON o.id = np.org_id WHERE o.name ~ '^Org[0-9]+$') p,"
                    + "      generate_series(0, " + (cidrsPerOrg - 1) + ") j");
            c.commit();
            c.setAutoCommit(true);
            s.execute("VACUUM ANALYZE"); // no autovacuum pass in the middle of a measurement
        }
    }
}
