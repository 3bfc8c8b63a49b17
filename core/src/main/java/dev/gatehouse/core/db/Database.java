package dev.gatehouse.core.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.pool.HikariPool;
import dev.gatehouse.core.GatehouseException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * The connection pool to Gatehouse's PostgreSQL, and the embedded server behind it when no URL is
 * configured. Opening it checks the database answers; it does not migrate (see {@link Migrations}).
 */
public final class Database implements AutoCloseable {
    /** Run on every connection as it opens. */
    static final String UTC_SESSION = "SET TIME ZONE 'UTC'";
    private volatile boolean reachableAtOpen = true;
    private final HikariDataSource dataSource;
    private final EmbeddedPostgresServer embedded;
    private final String description;
    private final DatabaseSettings effective;

    private Database(HikariDataSource dataSource, EmbeddedPostgresServer embedded, String description,
                     DatabaseSettings effective) {
        this.dataSource = dataSource;
        this.embedded = embedded;
        this.description = description;
        this.effective = effective;
    }

    /**
     * Opens the pool named by the settings, starting or attaching to the embedded server when the
     * URL is empty. Fails with one line when the database cannot be reached or refuses the login.
     */
    public static Database open(DatabaseSettings settings, String poolName) {
        return open(settings, poolName, false);
    }

    /**
     * As {@link #open(DatabaseSettings, String)}; with {@code tolerateUnreachable} an unreachable
     * server is not an error (the pool connects when it can: the gateway's fail-static start), but
     * a refused login or an unknown database still is.
     */
    public static Database open(DatabaseSettings settings, String poolName, boolean tolerateUnreachable) {
        return open(settings, poolName, tolerateUnreachable, null);
    }

    /**
     * As {@link #open(DatabaseSettings, String, boolean)}, with the pool measured by {@code metrics} (HikariCP's
     * tracker: the gateway hands in Micrometer's); null measures nothing.
     */
    public static Database open(DatabaseSettings settings, String poolName, boolean tolerateUnreachable,
                                MetricsTrackerFactory metrics) {
        EmbeddedPostgresServer embedded = null;
        DatabaseSettings effective = settings;
        if (settings.embedded()) {
            if (!EmbeddedPostgresServer.bundled()) {
                throw new GatehouseException("gatehouse.database.url is empty and this build has no embedded PostgreSQL"
                        + " (the container image leaves it out): set gatehouse.database.url or DATABASE_URL");
            }
            embedded = EmbeddedPostgresServer.startOrAttach(settings);
            effective = settings.withJdbc(embedded.jdbcUrl(), embedded.user(), "");
        }
        HikariConfig hc = new HikariConfig();
        hc.setPoolName(poolName);
        hc.setJdbcUrl(effective.jdbcUrl());
        if (!effective.user().isEmpty()) {
            hc.setUsername(effective.user());
        }
        if (!effective.password().isEmpty()) {
            hc.setPassword(effective.password());
        }
        hc.setMaximumPoolSize(effective.poolMaxSize());
        hc.setMinimumIdle(Math.min(2, effective.poolMaxSize()));
        hc.setConnectionTimeout(Math.max(250, effective.connectionTimeout().toMillis()));
        hc.addDataSourceProperty("ApplicationName", poolName);
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        // Time is UTC in the database whatever the JVM's zone: the driver starts each session in the JVM's zone,
        // and anything that turns a date into a timestamptz (partition bounds, day boundaries) would follow it.
        hc.setConnectionInitSql(UTC_SESSION);
        if (tolerateUnreachable) {
            hc.setInitializationFailTimeout(-1);
        }
        if (metrics != null) {
            hc.setMetricsTrackerFactory(metrics);
        }
        String where = embedded != null
                ? "embedded PostgreSQL (127.0.0.1:" + embedded.port() + ", data " + settings.embeddedDataDir() + ")"
                : redactedUrl(effective.jdbcUrl());
        try {
            Database db = new Database(new HikariDataSource(hc), embedded, where, effective);
            if (tolerateUnreachable) {
                db.refuseBadLogin();
            }
            return db;
        } catch (HikariPool.PoolInitializationException | IllegalArgumentException e) {
            if (embedded != null) {
                embedded.close();
            }
            throw new GatehouseException("cannot connect to the database at " + where + ": " + sqlReason(e), e);
        }
    }

    /**
     * A second, small pool on the same database, for work that must never take a connection the gateway needs (the
     * operator console): at most {@code maxSize} connections, each statement cut by the server after
     * {@code statementTimeout}. It connects when it can (an unreachable database is not an error here) and closing it
     * leaves this pool, and the embedded server, running.
     */
    public Database secondaryPool(String poolName, int maxSize, Duration statementTimeout) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName(poolName);
        hc.setJdbcUrl(effective.jdbcUrl());
        if (!effective.user().isEmpty()) {
            hc.setUsername(effective.user());
        }
        if (!effective.password().isEmpty()) {
            hc.setPassword(effective.password());
        }
        hc.setMaximumPoolSize(maxSize);
        hc.setMinimumIdle(0);
        hc.setConnectionTimeout(Math.max(250, effective.connectionTimeout().toMillis()));
        hc.addDataSourceProperty("ApplicationName", poolName);
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        hc.addDataSourceProperty("options", "-c statement_timeout=" + Math.max(1, statementTimeout.toMillis()));
        hc.setConnectionInitSql(UTC_SESSION);
        hc.setInitializationFailTimeout(-1);
        Database db = new Database(new HikariDataSource(hc), null, description, effective);
        db.reachableAtOpen = reachableAtOpen;
        return db;
    }

    /** Tries one connection: an unreachable server is fine here; a refused login is not. */
    private void refuseBadLogin() {
        try (Connection c = dedicatedConnection("gatehouse-check", 10)) {
            reachableAtOpen = c.isValid(2);
        } catch (SQLException e) {
            if (!unreachable(e)) {
                close();
                throw new GatehouseException("cannot connect to the database at " + description + ": " + sqlReason(e), e);
            }
            reachableAtOpen = false;
        }
    }

    /**
     * Whether the server answered when the pool was opened (tolerating an unreachable one): a start that finds it
     * away does not wait on it — the pool's own waits are for requests, not for a start.
     */
    public boolean reachableAtOpen() {
        return reachableAtOpen;
    }

    /**
     * True when the failure is the server not being there (SQLSTATE class 08, refused, timed out,
     * unknown host), as opposed to it answering no (bad password, no such database).
     */
    public static boolean unreachable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null) {
                return s.getSQLState().startsWith("08");
            }
            if (t instanceof ConnectException || t instanceof UnknownHostException
                    || t instanceof SocketTimeoutException || t instanceof NoRouteToHostException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** The innermost useful message of a connection failure (wrong password, unknown host...). */
    public static String sqlReason(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            if (t instanceof SQLException && t.getMessage() != null) {
                break;
            }
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.lines().findFirst().orElse(m).trim();
    }

    static String redactedUrl(String jdbcUrl) {
        return jdbcUrl.replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /**
     * A connection of its own, outside the pool, for a long-lived use such as LISTEN: it never
     * holds a pool slot, and a socket timeout keeps a dead network from hanging its reader forever.
     */
    public Connection dedicatedConnection(String applicationName, int socketTimeoutSeconds) throws SQLException {
        Properties p = new Properties();
        if (!effective.user().isEmpty()) {
            p.setProperty("user", effective.user());
        }
        if (!effective.password().isEmpty()) {
            p.setProperty("password", effective.password());
        }
        p.setProperty("ApplicationName", applicationName);
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds));
        p.setProperty("connectTimeout", Long.toString(Math.max(1, effective.connectionTimeout().toSeconds())));
        Connection c = DriverManager.getConnection(effective.jdbcUrl(), p);
        try (var st = c.createStatement()) {
            st.execute(UTC_SESSION);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Where this database is, for logs and messages (no password). */
    public String description() {
        return description;
    }

    @Override
    public void close() {
        dataSource.close();
        if (embedded != null) {
            embedded.close();
        }
    }
}
