package dev.gatehouse.core.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.core.testing.TestDatabases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The quick schema check agrees with Flyway on a current schema, and is unsure on anything else. */
class SchemaHistoryIT {

    @Test
    void theBundledListIsTheMigrationDirectory() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources", SchemaHistory.LOCATION))) {
            assertThat(files.map(p -> p.getFileName().toString())
                    .sorted(java.util.Comparator.comparingInt(f -> Integer.parseInt(SchemaHistory.version(f)))))
                    .as("a new migration goes into SchemaHistory.BUNDLED too (else every start takes Flyway's slow path)")
                    .containsExactlyElementsOf(SchemaHistory.BUNDLED);
        }
        assertThat(SchemaHistory.version("V12__add_things.sql")).isEqualTo("12");
        assertThat(SchemaHistory.description("V12__add_things.sql")).isEqualTo("add things");
    }

    @Test
    void currentOnlyWhenExactlyWhatFlywayApplied() {
        TestDatabase db = TestDatabases.createEmpty("history");
        try {
            assertThat(SchemaHistory.isCurrent(db.dataSource())).as("no history table").isFalse();
            new Migrations(db.dataSource()).migrate();
            assertThat(SchemaHistory.isCurrent(db.dataSource())).as("Flyway's own checksum, description, script").isTrue();

            db.update("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '1'");
            assertThat(SchemaHistory.isCurrent(db.dataSource())).as("an edited migration").isFalse();
            db.update("UPDATE flyway_schema_history SET checksum = checksum - 1, success = false WHERE version = '1'");
            assertThat(SchemaHistory.isCurrent(db.dataSource())).as("a failed migration").isFalse();
            db.update("UPDATE flyway_schema_history SET success = true WHERE version = '1'");
            assertThat(SchemaHistory.isCurrent(db.dataSource())).isTrue();

            db.update("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                    + " installed_by, execution_time, success) VALUES (999, '999', 'from the future', 'SQL',"
                    + " 'V999__from_the_future.sql', 0, 'test', 1, true)");
            assertThat(SchemaHistory.isCurrent(db.dataSource())).as("a version this binary does not know").isFalse();
        } finally {
            TestDatabases.drop(db);
        }
    }
}
