package dev.gatehouse.core.db;

import dev.gatehouse.core.GatehouseException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL 17 that Gatehouse runs when no database URL is configured.
 *
 * <p>One server per data directory, shared by every Gatehouse process on the machine: the first
 * process starts it and writes {@code postgres.connection} beside the data directory; a later
 * process (the admin CLI while the gateway runs) finds that file, checks the server answers, and
 * connects to it instead of starting a second one. Start-or-attach is serialised across processes
 * by an OS file lock. The owner stops the server when it closes; an attached process never does.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    static final String DATABASE = "gatehouse";
    static final String SUPERUSER = "postgres";
    /** The major version of the bundled binaries (io.zonky.test.postgres 17.x). */
    static final String MAJOR_VERSION = "17";

    private final EmbeddedPostgres owned;   // null when attached to another process's server
    private final Path connectionFile;
    private final int port;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedPostgresServer(EmbeddedPostgres owned, Path connectionFile, int port) {
        this.owned = owned;
        this.connectionFile = connectionFile;
        this.port = port;
        if (owned != null) {
            // Stop the server on SIGTERM/SIGINT too. Shutdown hooks run concurrently: give the process's own
            // orderly close (a gateway draining its requests, a purge finishing its batch) time to do it first.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!closed.get() && System.nanoTime() < deadline) {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        break;
                    }
                }
                close();
            }, "gatehouse-embedded-postgres-stop"));
        }
    }

    /** Attaches to the server of this data directory if one is running, otherwise starts it. */
    /**
     * Whether the embedded server's library is on the classpath: it is an optional dependency, in the jars
     * {@code bin/gatehouse} runs and not in the container image.
     */
    public static boolean bundled() {
        try {
            Class.forName("io.zonky.test.db.postgres.embedded.EmbeddedPostgres", false,
                    EmbeddedPostgresServer.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    public static EmbeddedPostgresServer startOrAttach(DatabaseSettings settings) {
        Path dataDir = settings.embeddedDataDir().toAbsolutePath().normalize();
        Path parent = dataDir.getParent();
        Path connectionFile = parent.resolve(dataDir.getFileName() + ".connection");
        Path lockFile = parent.resolve(dataDir.getFileName() + ".lock");
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new GatehouseException("embedded PostgreSQL: cannot create " + parent + ": " + e.getMessage(), e);
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            Integer running = runningServerPort(connectionFile);
            if (running != null) {
                log.info("Using the embedded PostgreSQL already running on port {} (data directory {})", running, dataDir);
                return new EmbeddedPostgresServer(null, connectionFile, running);
            }
            refuseIfServerHoldsDirectory(dataDir);
            refuseForeignDirectory(dataDir);
            EmbeddedPostgres pg = start(dataDir, settings);
            createDatabase(pg.getPort());
            writeConnectionFile(connectionFile, pg.getPort());
            log.info("Started the embedded PostgreSQL on 127.0.0.1:{} (data directory {})", pg.getPort(), dataDir);
            return new EmbeddedPostgresServer(pg, connectionFile, pg.getPort());
        } catch (IOException e) {
            throw new GatehouseException("embedded PostgreSQL: " + e.getMessage(), e);
        }
    }

    private static EmbeddedPostgres start(Path dataDir, DatabaseSettings settings) throws IOException {
        try {
            return EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setPort(settings.embeddedPort())
                    .setPGStartupWait(settings.embeddedStartupTimeout())
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "200")
                    .start();
        } catch (IllegalStateException e) {
            // EmbeddedPostgres locks <data-dir>/epg-lock; another process holds it without a connection file.
            throw new GatehouseException("embedded PostgreSQL: the data directory " + dataDir
                    + " is locked by another process (" + e.getMessage() + "); stop it, or set"
                    + " gatehouse.database.embedded.data-dir to another directory");
        } catch (IOException | RuntimeException e) {
            throw new GatehouseException("embedded PostgreSQL did not start with data directory " + dataDir
                    + ": " + rootMessage(e) + " (is the directory damaged? see " + dataDir.resolve("log")
                    + " or move it aside to start afresh)", e);
        }
    }

    /**
     * An existing directory must be a PostgreSQL 17 data directory: saying so at once beats waiting
     * for the server start to time out on a damaged or foreign directory.
     */
    private static void refuseForeignDirectory(Path dataDir) throws IOException {
        if (!Files.exists(dataDir.resolve("postgresql.conf"))) {
            return; // new or empty: initdb makes it
        }
        Path versionFile = dataDir.resolve("PG_VERSION");
        if (!Files.isRegularFile(versionFile)) {
            throw new GatehouseException("embedded PostgreSQL: " + dataDir + " is damaged or not a PostgreSQL data"
                    + " directory (no PG_VERSION); move it aside to start afresh, or restore it from a backup");
        }
        String version = Files.readString(versionFile).trim();
        if (!version.equals(MAJOR_VERSION)) {
            throw new GatehouseException("embedded PostgreSQL: " + dataDir + " holds PostgreSQL " + version
                    + " data, and Gatehouse runs PostgreSQL " + MAJOR_VERSION + "; upgrade it with pg_upgrade,"
                    + " or dump and restore into a new directory");
        }
    }

    /** A postmaster.pid naming a live process that did not answer on the recorded port: say so rather than fight it. */
    private static void refuseIfServerHoldsDirectory(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.isRegularFile(pidFile)) {
            return;
        }
        String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
        try {
            long pid = Long.parseLong(first);
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                throw new GatehouseException("embedded PostgreSQL: the data directory " + dataDir
                        + " is in use by PostgreSQL process " + pid + " that Gatehouse cannot reach;"
                        + " stop it (kill " + pid + ") and start again");
            }
        } catch (NumberFormatException e) {
            throw new GatehouseException("embedded PostgreSQL: " + pidFile + " is damaged (no process id in it);"
                    + " if no PostgreSQL uses " + dataDir + ", delete that file");
        }
    }

    private static Integer runningServerPort(Path connectionFile) throws IOException {
        if (!Files.isRegularFile(connectionFile)) {
            return null;
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(connectionFile)) {
            p.load(r);
        }
        int port;
        try {
            port = Integer.parseInt(p.getProperty("port", ""));
        } catch (NumberFormatException e) {
            Files.deleteIfExists(connectionFile);
            return null;
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl(port, DATABASE), SUPERUSER, "")) {
            return c.isValid(2) ? port : null;
        } catch (SQLException e) {
            log.info("Stale {} (nothing answers on port {}); starting the server", connectionFile, port);
            Files.deleteIfExists(connectionFile);
            return null;
        }
    }

    private static void createDatabase(int port) throws IOException {
        try (Connection c = DriverManager.getConnection(jdbcUrl(port, "postgres"), SUPERUSER, "");
             Statement s = c.createStatement()) {
            var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'");
            if (!rs.next()) {
                s.execute("CREATE DATABASE " + DATABASE);
            }
        } catch (SQLException e) {
            throw new IOException("cannot create the database '" + DATABASE + "': " + e.getMessage(), e);
        }
    }

    private static void writeConnectionFile(Path file, int port) throws IOException {
        Properties p = new Properties();
        p.setProperty("port", Integer.toString(port));
        p.setProperty("database", DATABASE);
        p.setProperty("user", SUPERUSER);
        p.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp)) {
            p.store(w, "Gatehouse embedded PostgreSQL; written by its owner, removed when it stops");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String jdbcUrl(int port, String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    public String jdbcUrl() {
        return jdbcUrl(port, DATABASE);
    }

    public String user() {
        return SUPERUSER;
    }

    public int port() {
        return port;
    }

    /** True when this process started the server (and will stop it on close). */
    public boolean owner() {
        return owned != null;
    }

    @Override
    public void close() {
        if (owned == null || closed.getAndSet(true)) {
            return;
        }
        try {
            Files.deleteIfExists(connectionFile);
        } catch (IOException e) {
            log.warn("Could not remove {}: {}", connectionFile, e.getMessage());
        }
        try {
            owned.close();
        } catch (IOException e) {
            log.warn("Stopping the embedded PostgreSQL failed: {}", e.getMessage());
        }
    }
}
