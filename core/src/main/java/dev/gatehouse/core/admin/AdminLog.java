package dev.gatehouse.core.admin;

import dev.gatehouse.core.util.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Writes the admin_actions row of a state-changing command, inside the command's own transaction. */
public final class AdminLog {
    private AdminLog() {
    }

    public static void record(Connection c, String actor, String command, String target, Object before, Object after)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO admin_actions (actor, command, target, before, after) VALUES (?, ?, ?, ?::jsonb, ?::jsonb)")) {
            ps.setString(1, actor);
            ps.setString(2, command);
            ps.setString(3, target);
            ps.setString(4, before == null ? null : Json.write(before));
            ps.setString(5, after == null ? null : Json.write(after));
            ps.executeUpdate();
        }
    }
}
