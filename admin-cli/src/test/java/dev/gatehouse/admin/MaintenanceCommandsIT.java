package dev.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.Fixtures;
import dev.gatehouse.core.testing.TestDatabase;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MaintenanceCommandsIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();

    TestDatabase d;
    String url;

    @BeforeEach
    void seed() {
        d = db.database();
        d.update("TRUNCATE organisations, admin_actions CASCADE");
        Fixtures f = new Fixtures(d);
        f.app(f.org("Acme"), "vault");
        url = d.jdbcUrl() + (d.jdbcUrl().contains("?") ? "&" : "?") + "user=" + d.user() + "&password=" + d.password();
    }

    private CliRun admin(String... args) {
        return CliRun.of(Stream.concat(Arrays.stream(args), Stream.of("--database-url", url)).toArray(String[]::new));
    }

    @Test
    void retentionSetShowAndOff() {
        assertThat(admin("retention", "set", "Acme", "90").out()).isEqualTo("Retention of Acme: 90 days\n");
        assertThat(admin("retention", "set", "Acme", "7", "--app", "vault").code()).isEqualTo(0);
        assertThat(admin("retention", "show").out()).containsPattern("Acme\\s+90\\s+full").containsPattern("Acme\\s+vault\\s+7");
        assertThat(admin("retention", "set", "Acme", "--off").out()).isEqualTo("Retention of Acme: off\n");
        assertThat(d.queryValue("SELECT audit_retention_days FROM organisations")).isNull();
        assertThat(d.queryValue("SELECT count(*) FROM admin_actions WHERE command = 'retention set'")).isEqualTo(3L);
    }

    @Test
    void retentionBadInput() {
        assertThat(admin("retention", "set", "Acme", "-5").code()).isEqualTo(2);
        assertThat(admin("retention", "set", "Acme").err()).contains("DAYS (or --off) is required");
        assertThat(admin("retention", "set", "Acme", "5", "--off").code()).isEqualTo(2);
        CliRun unknown = admin("retention", "set", "Nope", "5");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("gatehouse-admin: no organisation named 'Nope'\n");
        assertThat(admin("retention", "set", "Acme", "5", "--app", "nope").err())
                .isEqualTo("gatehouse-admin: organisation 'Acme' has no app named 'nope'\n");
        assertThat(d.queryValue("SELECT count(*) FROM admin_actions")).isEqualTo(0L);
    }

    @Test
    void auditModeSetShowAndInherit() {
        assertThat(admin("audit-mode", "set", "Acme", "aggregated").out()).isEqualTo("Audit mode of Acme: aggregated\n");
        assertThat(admin("audit-mode", "set", "Acme", "off", "--app", "vault").out())
                .isEqualTo("Audit mode of Acme/vault: off\n");
        assertThat(admin("audit-mode", "show").out()).containsPattern("Acme\\s+aggregated").containsPattern("Acme\\s+vault\\s+off");
        assertThat(d.queryValue("SELECT audit_mode FROM organisations")).isEqualTo("aggregated");
        assertThat(admin("audit-mode", "set", "Acme", "inherit", "--app", "vault").out())
                .isEqualTo("Audit mode of Acme/vault: inherited from Acme\n");
        assertThat(d.queryValue("SELECT audit_mode FROM apps")).isNull();
        assertThat(d.queryValue("SELECT string_agg(after->>'audit_mode', ',' ORDER BY id) FROM admin_actions"
                + " WHERE command = 'audit-mode set'")).isEqualTo("aggregated,off,inherit");
    }

    @Test
    void auditModeBadInput() {
        CliRun bad = admin("audit-mode", "set", "Acme", "verbose");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("MODE must be full, aggregated or off, got 'verbose'");
        assertThat(admin("audit-mode", "set", "Acme", "inherit").code()).as("an organisation has nothing to inherit from")
                .isEqualTo(2);
        assertThat(admin("audit-mode", "set", "Acme").code()).isEqualTo(2);
        assertThat(admin("audit-mode", "set", "Nope", "off").code()).isEqualTo(1);
        assertThat(admin("audit-mode", "set", "Acme", "off", "--app", "nope").err())
                .isEqualTo("gatehouse-admin: organisation 'Acme' has no app named 'nope'\n");
        assertThat(d.queryValue("SELECT audit_mode FROM organisations")).isEqualTo("full");
        assertThat(d.queryValue("SELECT count(*) FROM admin_actions")).isEqualTo(0L);
    }

    @Test
    void dbStatsAndVacuum() {
        d.update("INSERT INTO access_events (ts, event_id, client_ip, decision) SELECT now() - i * interval '1 minute',"
                + " gen_random_uuid(), '192.0.2.1', 'allow' FROM generate_series(1, 50) i");
        d.update("INSERT INTO access_events (ts, event_id, client_ip, decision)"
                + " VALUES ('1990-01-01 00:00:00+00', gen_random_uuid(), '192.0.2.1', 'allow')"); // the default partition
        d.update("ANALYZE access_events");
        CliRun stats = admin("db-stats");
        assertThat(stats.code()).isEqualTo(0);
        // the partitioned table on one line, with its partitions' totals: not the parent's zeros
        assertThat(stats.out()).contains("TABLE").contains("organisations").containsPattern("\\naccess_events\\s+\\d+\\s+\\d")
                .doesNotContain("access_events_p").contains("access_events_default holds 1 rows outside every daily partition");
        assertThat(stats.out()).containsPattern("\\d+\\.\\d (KB|MB)");
        assertThat(admin("db-stats", "--partitions").out()).contains("  access_events_p").contains("  access_events_default");
        assertThat(admin("db-stats", "--bytes").out()).doesNotContainPattern("\\d (KB|MB)");
        assertThat(admin("db-stats", "--json").values("table")).contains("access_events", "organisations");

        CliRun vacuum = admin("vacuum", "--analyze", "organisations");
        assertThat(vacuum.code()).as(vacuum.err()).isEqualTo(0);
        assertThat(vacuum.out()).doesNotContain("vacuuming")
                .containsPattern("organisations: .+ -> .+ \\(\\d+ -> \\d+ bytes\\), dead tuples \\d+ -> \\d+, \\d+ ms");
        assertThat(admin("--verbose", "vacuum", "organisations").out()).as("the server's report with --verbose")
                .contains("vacuuming");
        assertThat(admin("vacuum", "--full", "organisations").code()).as("needs --yes").isEqualTo(2);
        assertThat(admin("vacuum", "--full", "organisations", "--yes").code()).isEqualTo(0);
        CliRun unknown = admin("vacuum", "pg_class");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("gatehouse-admin: no Gatehouse table named 'pg_class'\n");
    }

    @Test
    void completionScript() {
        CliRun r = CliRun.of("generate-completion");
        assertThat(r.code()).isEqualTo(0);
        assertThat(r.out()).contains("gatehouse-admin").contains("complete -F");
    }
}
