package dev.gatehouse.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.GatehouseException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded server as the product runs it: a persistent data directory shared by processes. */
class EmbeddedPostgresServerIT {
    @TempDir
    Path home;

    private DatabaseSettings settings(Path dataDir) {
        return new DatabaseSettings("", "", "", false, 2, Duration.ofSeconds(5), dataDir, 0, Duration.ofSeconds(60));
    }

    @Test
    void secondUserAttachesAndDataSurvivesARestart() throws Exception {
        Path dataDir = home.resolve("postgres");
        Path connectionFile = home.resolve("postgres.connection");
        try (Database first = Database.open(settings(dataDir), "first")) {
            new Migrations(first.dataSource()).migrate();
            try (Connection c = first.connection()) {
                c.createStatement().execute("INSERT INTO organisations (name) VALUES ('Acme')");
            }
            assertThat(connectionFile).exists();

            // A second process (the CLI while the gateway runs) attaches instead of starting another server.
            try (Database second = Database.open(settings(dataDir), "second")) {
                assertThat(second.description()).isEqualTo(first.description());
                try (Connection c = second.connection()) {
                    var rs = c.createStatement().executeQuery("SELECT name FROM organisations");
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("Acme");
                }
            }
            // The attached user closing does not stop the owner's server.
            try (Connection c = first.connection()) {
                assertThat(c.isValid(2)).isTrue();
            }
        }
        assertThat(connectionFile).doesNotExist();

        // Restart on the same directory: the data is still there.
        try (Database again = Database.open(settings(dataDir), "again");
             Connection c = again.connection()) {
            var rs = c.createStatement().executeQuery("SELECT count(*) FROM organisations WHERE name = 'Acme'");
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void staleConnectionFileIsIgnored() throws Exception {
        Path dataDir = home.resolve("pg");
        Files.createDirectories(home);
        Files.writeString(home.resolve("pg.connection"), "port=1\n");
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.startOrAttach(settings(dataDir))) {
            assertThat(server.owner()).isTrue();
            assertThat(server.port()).isNotEqualTo(1);
            try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), "")) {
                assertThat(c.isValid(2)).isTrue();
            }
        }
    }

    @Test
    void damagedDataDirectoryGetsAClearMessage() throws Exception {
        Path dataDir = home.resolve("broken");
        Files.createDirectories(dataDir);
        Files.writeString(dataDir.resolve("postgresql.conf"), "this is not a postgresql data directory\n");
        assertThatThrownBy(() -> EmbeddedPostgresServer.startOrAttach(settings(dataDir)))
                .isInstanceOf(GatehouseException.class)
                .hasMessage("embedded PostgreSQL: " + dataDir + " is damaged or not a PostgreSQL data directory"
                        + " (no PG_VERSION); move it aside to start afresh, or restore it from a backup");
    }

    @Test
    void dataDirectoryOfAnotherMajorVersionIsRefused() throws Exception {
        Path dataDir = home.resolve("old");
        Files.createDirectories(dataDir);
        Files.writeString(dataDir.resolve("postgresql.conf"), "# exists\n");
        Files.writeString(dataDir.resolve("PG_VERSION"), "15\n");
        assertThatThrownBy(() -> EmbeddedPostgresServer.startOrAttach(settings(dataDir)))
                .hasMessageContaining("holds PostgreSQL 15 data, and Gatehouse runs PostgreSQL 17");
    }

    @Test
    void dataDirectoryHeldByALiveForeignProcessIsRefused() throws Exception {
        Path dataDir = home.resolve("held");
        Files.createDirectories(dataDir);
        Files.writeString(dataDir.resolve("postgresql.conf"), "# exists\n");
        long livePid = ProcessHandle.current().pid();
        Files.writeString(dataDir.resolve("postmaster.pid"), livePid + "\n" + dataDir + "\n");
        assertThatThrownBy(() -> EmbeddedPostgresServer.startOrAttach(settings(dataDir)))
                .hasMessage("embedded PostgreSQL: the data directory " + dataDir + " is in use by PostgreSQL process "
                        + livePid + " that Gatehouse cannot reach; stop it (kill " + livePid + ") and start again");
    }

}
