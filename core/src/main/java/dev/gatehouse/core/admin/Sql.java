package dev.gatehouse.core.admin;

import dev.gatehouse.core.GatehouseException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Small JDBC helpers for the administration services, with constraint violations in words. */
final class Sql {
    private Sql() {
    }

    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }

    /** Runs an INSERT/UPDATE, turning a unique violation into "already exists" and a check violation into its words. */
    static Object insertReturning(Connection c, String what, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(1);
            }
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw new GatehouseException(what + " already exists");
            }
            if ("23514".equals(e.getSQLState()) || "22P02".equals(e.getSQLState())) {
                throw new GatehouseException(what + ": " + e.getMessage().lines().findFirst().orElse("invalid value")
                        .replaceFirst("^ERROR: ", ""));
            }
            throw e;
        }
    }
}
