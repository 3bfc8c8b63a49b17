package dev.gatehouse.core.admin;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/** Finds rows by the names operators type, or says clearly which name does not exist. */
public final class Lookup {
    private Lookup() {
    }

    public static UUID org(Connection c, String name) throws SQLException {
        UUID id = one(c, "SELECT id FROM organisations WHERE name = ?", name);
        if (id == null) {
            throw new NotFound("no organisation named '" + name + "'");
        }
        return id;
    }

    public static UUID app(Connection c, UUID org, String orgName, String name) throws SQLException {
        UUID id = one(c, "SELECT id FROM apps WHERE org_id = ? AND name = ?", org, name);
        if (id == null) {
            throw new NotFound("organisation '" + orgName + "' has no app named '" + name + "'");
        }
        return id;
    }

    public static UUID account(Connection c, UUID org, String orgName, String name) throws SQLException {
        UUID id = one(c, "SELECT id FROM accounts WHERE org_id = ? AND name = ?", org, name);
        if (id == null) {
            throw new NotFound("organisation '" + orgName + "' has no account named '" + name + "'");
        }
        return id;
    }

    public static UUID policy(Connection c, UUID org, String orgName, String name) throws SQLException {
        UUID id = one(c, "SELECT id FROM network_access_policies WHERE org_id = ? AND name = ?", org, name);
        if (id == null) {
            throw new NotFound("organisation '" + orgName + "' has no policy named '" + name + "'");
        }
        return id;
    }

    static UUID one(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? (UUID) rs.getObject(1) : null;
            }
        }
    }
}
