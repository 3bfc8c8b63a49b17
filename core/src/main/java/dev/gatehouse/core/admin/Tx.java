package dev.gatehouse.core.admin;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.db.Database;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Runs administrative work in one transaction: it commits whole or not at all, so a command that
 * fails half-way changes nothing (no half-applied change), and its admin_actions row commits with it.
 */
public final class Tx {
    /** Work done with a connection inside the transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private Tx() {
    }

    public static <T> T run(DataSource ds, Work<T> work) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new GatehouseException(Database.sqlReason(e), e);
        }
    }
}
