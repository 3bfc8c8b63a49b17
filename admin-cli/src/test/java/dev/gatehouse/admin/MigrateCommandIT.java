package dev.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.core.testing.TestDatabases;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** gatehouse-admin migrate, info and validate against a real PostgreSQL: output, exit code, database state. */
class MigrateCommandIT {
    private TestDatabase db;

    record Result(int code, String out, String err) {
    }

    static Result admin(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AdminMain.run(new PrintWriter(out, true), new PrintWriter(err, true), env, args);
        return new Result(code, out.toString(), err.toString());
    }

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
    void migrateAppliesV1AndInfoListsIt() {
        Result info = admin(Map.of(), "migrate", "info", "--database-url", url());
        assertThat(info.code()).isEqualTo(0);
        assertThat(info.out()).containsPattern("1\\s+gatehouse model\\s+Pending");

        Result dry = admin(Map.of(), "migrate", "--dry-run", "--database-url", url());
        assertThat(dry.code()).isEqualTo(0);
        assertThat(dry.out()).isEqualTo("Would apply V1\n");
        assertThat(tables()).as("dry run changes nothing").isEqualTo(0);

        Result validate = admin(Map.of(), "migrate", "validate", "--database-url", url());
        assertThat(validate.code()).isEqualTo(1);
        assertThat(validate.err()).isEqualTo("gatehouse-admin: the database schema is behind this Gatehouse (pending: V1);"
                + " run `gatehouse-admin migrate` first\n");

        Result migrate = admin(Map.of("DATABASE_URL", url()), "migrate");
        assertThat(migrate.code()).isEqualTo(0);
        assertThat(migrate.out()).isEqualTo("Applied V1 (gatehouse model)\n");
        assertThat(tables()).isGreaterThan(10);

        assertThat(admin(Map.of("DATABASE_URL", url()), "migrate").out()).isEqualTo("Nothing to apply: the schema is current.\n");
        Result after = admin(Map.of(), "migrate", "info", "--json", "--database-url", url());
        assertThat(after.out()).startsWith("[{\"version\":\"1\",\"description\":\"gatehouse model\",\"state\":\"Success\",\"installed_on\":\"");
        assertThat(admin(Map.of(), "migrate", "validate", "--database-url", url()).out())
                .isEqualTo("Schema valid: at V1, nothing pending.\n");
    }

    @Test
    void futureSchemaIsRefusedByValidateAndMigrate() {
        admin(Map.of(), "migrate", "--database-url", url());
        db.update("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                + " installed_by, execution_time, success) VALUES (999, '999', 'test only', 'SQL', 'V999__test_only.sql',"
                + " 0, 'test', 1, true)");
        for (String[] args : new String[][] {{"migrate", "validate"}, {"migrate"}}) {
            String[] full = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                    java.util.stream.Stream.of("--database-url", url())).toArray(String[]::new);
            Result r = admin(Map.of(), full);
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("gatehouse-admin: the database schema is at V999, newer than this Gatehouse"
                    + " (which knows up to V1); migrations are one-way: upgrade Gatehouse, or restore a backup taken"
                    + " before the upgrade\n");
        }
    }

    @Test
    void usageErrorsExit2WithOneLine() {
        Result none = admin(Map.of());
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).isEqualTo("gatehouse-admin: a command is required (see 'gatehouse-admin --help')\n");

        Result unknown = admin(Map.of(), "migrate", "sideways");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("gatehouse-admin: Unmatched argument at index 1: 'sideways'");

        Result badUrl = admin(Map.of(), "migrate", "--database-url", "mysql://root:hunter2@h/db");
        assertThat(badUrl.code()).isEqualTo(2);
        assertThat(badUrl.err()).startsWith("gatehouse-admin: --database-url: expected postgres://").doesNotContain("hunter2");

        Result badEnv = admin(Map.of("EXTERNAL_MIGRATION", "perhaps"), "migrate", "info", "--database-url", url());
        assertThat(badEnv.code()).isEqualTo(2);
        assertThat(badEnv.err()).startsWith("gatehouse-admin: configuration: environment variable EXTERNAL_MIGRATION");
        assertThat(tables()).isEqualTo(0);
    }

    @Test
    void unreachableDatabaseIsAFailureNotAStackTrace() {
        Result r = admin(Map.of(), "migrate", "--database-url", "postgres://gh:pw@127.0.0.1:1/gatehouse");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("gatehouse-admin: cannot connect to the database at jdbc:postgresql://127.0.0.1:1/gatehouse: ");
        assertThat(r.err().lines().count()).isEqualTo(1);
        assertThat(r.err()).doesNotContain("pw@");
    }

    @Test
    void helpShowsExamples() {
        Result r = admin(Map.of(), "migrate", "--help");
        assertThat(r.code()).isEqualTo(0);
        assertThat(r.out()).contains("Usage: gatehouse-admin migrate").contains("Examples:").contains("--dry-run");
    }
}
