package dev.gatehouse.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import dev.gatehouse.core.db.DatabaseSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    @Test
    void defaultsComeFromReferenceConf() {
        Config c = ConfigLoader.load(null, Map.of());
        assertThat(c.getInt("gatehouse.listen.port")).isEqualTo(8080);
        DatabaseSettings db = DatabaseSettings.from(c);
        assertThat(db.embedded()).isTrue();
        assertThat(db.externalMigration()).isFalse();
        assertThat(db.embeddedDataDir().toString())
                .isEqualTo(System.getProperty("user.home") + "/.local/share/gatehouse/postgres");
    }

    @Test
    void theDataDirectoryFollowsXdgDataHomeElseHome() {
        assertThat(DatabaseSettings.from(ConfigLoader.load(null, Map.of("HOME", "/tmp/elsewhere"))).embeddedDataDir())
                .hasToString("/tmp/elsewhere/.local/share/gatehouse/postgres");
        Config xdg = ConfigLoader.load(null, Map.of("HOME", "/tmp/elsewhere", "XDG_DATA_HOME", "/srv/data"));
        assertThat(DatabaseSettings.from(xdg).embeddedDataDir()).hasToString("/srv/data/gatehouse/postgres");
        assertThat(xdg.getString("gatehouse.audit.spool-dir")).isEqualTo("/srv/data/gatehouse/audit-spool");
        assertThat(DatabaseSettings.from(ConfigLoader.load(null, Map.of("HOME", "/h", "XDG_DATA_HOME", "relative/dir")))
                .embeddedDataDir()).as("a relative XDG_DATA_HOME is ignored, as the spec says").hasToString("/h/.local/share/gatehouse/postgres");
    }

    @Test
    void userFileOverridesDefaults() throws IOException {
        Path f = write("g.conf", "gatehouse.listen.port = 9999\ngatehouse.database.pool.max-size = 3\n");
        Config c = ConfigLoader.load(f, Map.of());
        assertThat(c.getInt("gatehouse.listen.port")).isEqualTo(9999);
        assertThat(DatabaseSettings.from(c).poolMaxSize()).isEqualTo(3);
    }

    @Test
    void overridingAKeyBesideASubstitutedDefault() throws IOException {
        Path f = write("dd.conf", "gatehouse.database.embedded.data-dir = /srv/gh/pg\n");
        assertThat(DatabaseSettings.from(ConfigLoader.load(f, Map.of())).embeddedDataDir()).isEqualTo(Path.of("/srv/gh/pg"));
    }

    @Test
    void configFileFromEnvironmentWhenNoOption() throws IOException {
        Path f = write("env.conf", "gatehouse.listen.port = 7000\n");
        Config c = ConfigLoader.load(null, Map.of("GATEHOUSE_CONFIG", f.toString()));
        assertThat(c.getInt("gatehouse.listen.port")).isEqualTo(7000);
    }

    @Test
    void unknownKeyNamesTheKeyTheFileAndTheLine() throws IOException {
        Path f = write("typo.conf", "gatehouse {\n  listen {\n    prot = 80\n  }\n}\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
                .isInstanceOf(ConfigError.class)
                .hasMessage("configuration: gatehouse.listen.prot: unknown key (did you mean 'port'?) (" + f + ":3)");
    }

    @Test
    void unknownTopLevelSectionIsRefused() throws IOException {
        Path f = write("top.conf", "gatehouse.databse.url = \"x\"\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
                .hasMessageContaining("gatehouse.databse: unknown key (did you mean 'database'?)")
                .hasMessageContaining("top.conf:1");
    }

    @Test
    void keysOutsideGatehouseAreLeftAlone() throws IOException {
        Path f = write("other.conf", "akka.something = 1\n");
        assertThat(ConfigLoader.load(f, Map.of()).getInt("akka.something")).isEqualTo(1);
    }

    @Test
    void wrongTypeNamesTheKeyAndLine() throws IOException {
        Path f = write("type.conf", "gatehouse.listen.port = \"eighty\"\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
                .isInstanceOf(ConfigError.class)
                .hasMessage("configuration: gatehouse.listen.port: expected a number, got 'eighty' (" + f + ":1)");
    }

    @Test
    void badDurationNamesTheKey() throws IOException {
        Path f = write("dur.conf", "gatehouse.upstream.connect-timeout = 5 parsecs\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
                .hasMessage("configuration: gatehouse.upstream.connect-timeout: expected a duration such as 5s, 250ms or 2m,"
                        + " got '5 parsecs' (" + f + ":1)");
    }

    @Test
    void objectWhereAValueBelongsIsRefused() throws IOException {
        Path f = write("obj.conf", "gatehouse.database.embedded = true\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
                .hasMessageStartingWith("configuration: gatehouse.database.embedded: ")
                .hasMessageContaining("obj.conf:1");
    }

    @Test
    void missingFileIsOneLine() {
        Path f = dir.resolve("nope.conf");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
                .hasMessage("configuration: config file " + f + " does not exist");
    }

    @Test
    void unreadableFileIsOneLine() throws IOException {
        Path f = write("secret.conf", "gatehouse.listen.port = 1\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("---------"));
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(f),
                "running as root: every file is readable, so this case cannot be produced here");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
                .hasMessage("configuration: config file " + f + " is not a readable file");
    }

    @Test
    void directoryInsteadOfFileIsRefused() {
        assertThatThrownBy(() -> ConfigLoader.load(dir, Map.of()))
                .hasMessage("configuration: config file " + dir + " is not a readable file");
    }

    @Test
    void syntaxErrorIsOneLineWithPosition() throws IOException {
        Path f = write("broken.conf", "gatehouse {\n  listen.port = \n");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("broken.conf")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void databaseUrlEnvironmentOverridesTheFile() throws IOException {
        Path f = write("db.conf", "gatehouse.database.url = \"jdbc:postgresql://file-host/db\"\n");
        Config c = ConfigLoader.load(f, Map.of("DATABASE_URL", "postgres://alice:s%40cret@db.example:6543/gh?sslmode=require"));
        DatabaseSettings db = DatabaseSettings.from(c);
        assertThat(db.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/gh?sslmode=require");
        assertThat(db.user()).isEqualTo("alice");
        assertThat(db.password()).isEqualTo("s@cret");
    }

    @Test
    void externalMigrationFromEnvironment() {
        assertThat(DatabaseSettings.from(ConfigLoader.load(null, Map.of("EXTERNAL_MIGRATION", "true"))).externalMigration()).isTrue();
        assertThat(DatabaseSettings.from(ConfigLoader.load(null, Map.of("EXTERNAL_MIGRATION", "0"))).externalMigration()).isFalse();
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("EXTERNAL_MIGRATION", "maybe")))
                .hasMessage("configuration: environment variable EXTERNAL_MIGRATION: expected true or false, got 'maybe'");
    }

    @Test
    void badDatabaseUrlIsRefusedWithoutLeakingThePassword() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("DATABASE_URL", "mysql://u:hunter2@h/db")))
                .hasMessageContaining("environment variable DATABASE_URL: expected postgres://")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }

    @Test
    void nonJdbcUrlInFileIsRefused() throws IOException {
        Path f = write("url.conf", "gatehouse.database.url = \"postgres://h/db\"\n");
        assertThatThrownBy(() -> DatabaseSettings.from(ConfigLoader.load(f, Map.of())))
                .hasMessageContaining("gatehouse.database.url: expected a jdbc:postgresql:// URL")
                .hasMessageContaining("url.conf:1");
    }

    @Test
    void outOfRangeValuesAreRefused() throws IOException {
        Path f = write("range.conf", "gatehouse.database.pool.max-size = 0\n");
        assertThatThrownBy(() -> DatabaseSettings.from(ConfigLoader.load(f, Map.of())))
                .hasMessage("configuration: gatehouse.database.pool.max-size: must be at least 1 (" + f + ":1)");
    }
}
