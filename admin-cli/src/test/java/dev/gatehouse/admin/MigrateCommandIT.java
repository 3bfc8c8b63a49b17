package dev.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.core.testing.TestDatabases;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** gatehouse-admin migrate, info and validate against a real PostgreSQL: output, exit code, database state. */
class MigrateCommandIT {
    private TestDatabase db;

    private String url() {
        // postgres://user:pass@host:port/db, the form operators paste
        String hostPortDb = db.jdbcUrl().substring("jdbc:postgresql://".length());
        return "postgres://" + db.user() + ":" + db.password() + "@" + hostPortDb;
    }

    @BeforeEach
    void emptyDatabase() {
        db = TestDatabases.createEmpty("cli");
    }

    @AfterEach
    void drop() {
        TestDatabases.drop(db);
    }

    private long tables() {
        return (Long) db.queryValue("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");
    }

    @Test
    void migrateAppliesEveryVersionAndInfoListsThem() {
        CliRun info = CliRun.of(Map.of(), "migrate", "info", "--database-url", url());
        assertThat(info.code()).isEqualTo(0);
        assertThat(info.out()).containsPattern("1\\s+gatehouse model\\s+Pending")
                .containsPattern("2\\s+access events without primary key\\s+Pending");

        CliRun dry = CliRun.of(Map.of(), "migrate", "--dry-run", "--database-url", url());
        assertThat(dry.code()).isEqualTo(0);
        assertThat(dry.out()).isEqualTo("Would apply V1\nWould apply V2\nWould apply V3\nWould apply V4\nWould apply V5\nWould apply V6\nWould apply V7\nWould apply V8\nWould apply V9\nWould apply V10\n");
        assertThat(tables()).as("dry run changes nothing").isEqualTo(0);

        CliRun validate = CliRun.of(Map.of(), "migrate", "validate", "--database-url", url());
        assertThat(validate.code()).isEqualTo(1);
        assertThat(validate.err()).isEqualTo("gatehouse-admin: the database schema is behind this Gatehouse (pending: V1, V2, V3, V4, V5, V6, V7, V8, V9, V10);"
                + " run `gatehouse-admin migrate` first\n");

        CliRun migrate = CliRun.of(Map.of("DATABASE_URL", url()), "migrate");
        assertThat(migrate.code()).isEqualTo(0);
        assertThat(migrate.out()).isEqualTo("Applied V1 (gatehouse model)\nApplied V2 (access events without primary key)\nApplied V3 (access events partitions in utc)\nApplied V4 (global policy restores per organisation)\nApplied V5 (oidc providers)\nApplied V6 (sso session keys)\nApplied V7 (sso events)\nApplied V8 (sso boundary)\nApplied V9 (policy versions)\nApplied V10 (gateway heartbeats)\n");
        assertThat(tables()).isGreaterThan(10);

        assertThat(CliRun.of(Map.of("DATABASE_URL", url()), "migrate").out()).isEqualTo("Nothing to apply: the schema is current.\n");
        assertThat(db.queryValue("SELECT command || ' ' || (before->>'version') || ' -> ' || (after->>'version')"
                + " FROM admin_actions")).as("a migration leaves its admin_actions row, once").isEqualTo("migrate none -> V10");
        CliRun after = CliRun.of(Map.of(), "migrate", "info", "--json", "--database-url", url());
        assertThat(after.values("version")).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
        assertThat(after.values("description").get(0)).isEqualTo("gatehouse model");
        assertThat(after.values("state")).containsOnly("Success");
        assertThat(after.values("installed_on")).doesNotContainNull();
        assertThat(CliRun.of(Map.of(), "migrate", "validate", "--database-url", url()).out())
                .isEqualTo("Schema valid: at V10, nothing pending.\n");
    }

    @Test
    void futureSchemaIsRefusedByValidateAndMigrate() {
        CliRun.of(Map.of(), "migrate", "--database-url", url());
        db.update("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                + " installed_by, execution_time, success) VALUES (999, '999', 'test only', 'SQL', 'V999__test_only.sql',"
                + " 0, 'test', 1, true)");
        for (String[] args : new String[][] {{"migrate", "validate"}, {"migrate"}}) {
            String[] full = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                    java.util.stream.Stream.of("--database-url", url())).toArray(String[]::new);
            CliRun r = CliRun.of(Map.of(), full);
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("gatehouse-admin: the database schema is at V999, newer than this Gatehouse"
                    + " (which knows up to V10); migrations are one-way: upgrade Gatehouse, or restore a backup taken"
                    + " before the upgrade\n");
        }
    }

    @Test
    void usageErrorsExit2WithOneLine() {
        CliRun none = CliRun.of(Map.of());
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).isEqualTo("gatehouse-admin: a command is required (see 'gatehouse-admin --help')\n");

        CliRun unknown = CliRun.of(Map.of(), "migrate", "sideways");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("gatehouse-admin: Unmatched argument at index 1: 'sideways'");

        CliRun badUrl = CliRun.of(Map.of(), "migrate", "--database-url", "mysql://root:hunter2@h/db");
        assertThat(badUrl.code()).isEqualTo(2);
        assertThat(badUrl.err()).startsWith("gatehouse-admin: --database-url: expected postgres://").doesNotContain("hunter2");

        CliRun badEnv = CliRun.of(Map.of("EXTERNAL_MIGRATION", "perhaps"), "migrate", "info", "--database-url", url());
        assertThat(badEnv.code()).isEqualTo(2);
        assertThat(badEnv.err()).startsWith("gatehouse-admin: configuration: environment variable EXTERNAL_MIGRATION");
        assertThat(tables()).isEqualTo(0);
    }

    @Test
    void unreachableDatabaseIsAFailureNotAStackTrace() {
        CliRun r = CliRun.of(Map.of(), "migrate", "--database-url", "postgres://gh:pw@127.0.0.1:1/gatehouse");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("gatehouse-admin: cannot connect to the database at jdbc:postgresql://127.0.0.1:1/gatehouse: ");
        assertThat(r.err().lines().count()).isEqualTo(1);
        assertThat(r.err()).doesNotContain("pw@");
    }

    @Test
    void helpShowsExamples() {
        CliRun r = CliRun.of(Map.of(), "migrate", "--help");
        assertThat(r.code()).isEqualTo(0);
        assertThat(r.out()).contains("Usage: gatehouse-admin migrate").contains("Examples:").contains("--dry-run");
    }
}
