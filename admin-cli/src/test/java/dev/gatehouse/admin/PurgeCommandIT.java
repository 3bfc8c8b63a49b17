package dev.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.Fixtures;
import dev.gatehouse.core.testing.TestDatabase;
import java.util.Arrays;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PurgeCommandIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();

    TestDatabase d;
    String url;
    UUID acme;
    UUID beta;
    UUID vault;

    @BeforeEach
    void seed() {
        d = db.database();
        d.update("TRUNCATE organisations, admin_actions, access_events CASCADE");
        Fixtures f = new Fixtures(d);
        acme = f.org("Acme");
        beta = f.org("Beta");
        vault = f.app(acme, "vault");
        // dated partitions for the old days too, so --all-orgs has whole partitions to drop
        d.queryValue("SELECT gatehouse_ensure_access_event_partitions(current_date - 45, 12)");
        events(acme, null, 600, "40 days");
        events(acme, vault, 400, "40 days");
        events(acme, null, 100, "1 day");
        events(beta, null, 500, "40 days");
        url = d.jdbcUrl() + (d.jdbcUrl().contains("?") ? "&" : "?") + "user=" + d.user() + "&password=" + d.password();
    }

    private void events(UUID org, UUID app, int n, String age) {
        d.update("INSERT INTO access_events (ts, event_id, org_id, app_id, client_ip, decision)"
                + " SELECT now() - ?::interval + (g * interval '1 second'), gen_random_uuid(), ?, ?, '192.0.2.1', 'allow'"
                + " FROM generate_series(1, ?) g", age, org, app, n);
    }

    private CliRun admin(String... args) {
        return CliRun.of(Stream.concat(Arrays.stream(args), Stream.of("--database-url", url)).toArray(String[]::new));
    }

    private long rows(UUID org) {
        return (Long) d.queryValue("SELECT count(*) FROM access_events WHERE org_id = ?", org);
    }

    @Test
    void dryRunCountsAndDeletesNothing() {
        CliRun r = admin("purge-logs", "Acme", "--retain", "30", "--dry-run");
        assertThat(r.code()).isEqualTo(0);
        assertThat(r.out()).startsWith("Would delete 1000 events older than ");
        assertThat(rows(acme)).isEqualTo(1100);
    }

    @Test
    void purgesOneOrganisationInBatches() {
        CliRun r = admin("purge-logs", "Acme", "--retain", "30", "--batch-size", "150", "--yes");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).startsWith("deleted 1000 events older than ");
        assertThat(rows(acme)).as("the recent ones stay").isEqualTo(100);
        assertThat(rows(beta)).as("other organisations untouched").isEqualTo(500);
        assertThat(d.queryValue("SELECT command || ' ' || target || ' ' || (after->>'deleted') FROM admin_actions"))
                .isEqualTo("purge-logs Acme 1000");
        assertThat(admin("purge-logs", "Acme", "--retain", "30", "--yes", "--json").json().get("deleted").asLong())
                .as("idempotent: nothing left").isZero();
    }

    @Test
    void purgesOneAppOnly() {
        CliRun r = admin("purge-logs", "Acme", "--retain", "30", "--app-id", vault.toString(), "--yes");
        assertThat(r.out()).startsWith("deleted 400 events");
        assertThat(rows(acme)).isEqualTo(700);
    }

    /**
     * Ctrl-C (SIGINT) in the middle of a purge whose output goes to a pipe: the summary line is printed every time
     * (it was lost when the shutdown hook let the JVM go before the summary was written).
     */
    @Test
    void ctrlCPrintsTheSummaryEvenIntoAPipe() throws Exception {
        // a shell's background job inherits SIGINT ignored (SigIgn bit 1); the purge would then never see the Ctrl-C
        String status = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/status"));
        String ignored = status.lines().filter(l -> l.startsWith("SigIgn:")).findFirst().orElse("SigIgn: 0").substring(7).trim();
        org.junit.jupiter.api.Assumptions.assumeTrue((Long.parseLong(ignored, 16) & 2) == 0,
                "SIGINT is ignored in this process (started as a background job), so no child can be interrupted");
        events(acme, null, 150_000, "40 days");
        Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), dev.gatehouse.admin.AdminMain.class.getName(),
                "purge-logs", "Acme", "--retain", "30", "--batch-size", "10", "--yes", "--database-url", url)
                .redirectErrorStream(false).start();
        java.util.concurrent.CompletableFuture<String> out = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        // small batches: 15 000 of them leave seconds between "some batches done" and the end, so the Ctrl-C
        // always lands in the middle (with 3 000 it once arrived after the last batch on a loaded machine)
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (rows(acme) > 151_100 - 200 && p.isAlive() && System.nanoTime() < deadline) { // some batches done
            Thread.sleep(50);
        }
        assertThat(p.isAlive()).as("still purging when interrupted").isTrue();
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
        assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        String printed = out.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(printed).as("stdout of the interrupted purge").startsWith("Stopped: deleted ")
                .contains("; run again to resume.");
        long deleted = Long.parseLong(printed.substring("Stopped: deleted ".length(), printed.indexOf(" events")));
        assertThat(rows(acme)).isEqualTo(151_100 - deleted);
    }

    @Test
    void anAppIsNamedAsRetentionAndAuditModeName() {
        CliRun dry = admin("purge-logs", "Acme", "--retain", "30", "--app", "vault", "--dry-run");
        assertThat(dry.out()).startsWith("Would delete 400 events");
        CliRun ask = admin("purge-logs", "Acme", "--retain", "30", "--app", "vault");
        assertThat(ask.code()).as("no --yes off a terminal").isEqualTo(2);
        assertThat(ask.err()).contains("This deletes 400 access events older than").contains("(app vault)");
        assertThat(admin("purge-logs", "Acme", "--retain", "30", "--app", "vault", "--yes").out()).startsWith("deleted 400 events");
        assertThat(admin("purge-logs", "Acme", "--app", "nope", "--yes").err()).contains("nope");
        assertThat(admin("purge-logs", "Acme", "--app", "vault", "--app-id", vault.toString(), "--yes").code()).isEqualTo(2);
    }

    @Test
    void retainZeroDeletesEverything() {
        assertThat(admin("purge-logs", "Beta", "--retain", "0", "--yes").out()).startsWith("deleted 500 events");
        assertThat(rows(beta)).isZero();
    }

    @Test
    void allOrganisationsDropWholePartitions() {
        long partitionsBefore = (Long) d.queryValue("SELECT count(*) FROM pg_inherits WHERE inhparent = 'access_events'::regclass");
        CliRun r = admin("purge-logs", "--all-orgs", "--retain", "30", "--yes", "--json");
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.json().get("deleted").asLong()).isZero();
        assertThat(r.json().get("partitions_dropped").asLong()).isPositive();
        assertThat(rows(acme)).isEqualTo(100);
        assertThat(rows(beta)).isZero();
        long partitionsAfter = (Long) d.queryValue("SELECT count(*) FROM pg_inherits WHERE inhparent = 'access_events'::regclass");
        assertThat(partitionsAfter).isLessThan(partitionsBefore);
    }

    @Test
    void badInputChangesNothing() {
        String other = UUID.randomUUID().toString();
        String[][] cases = {
                {"2", "--retain must be 0 or more days, got -1", "purge-logs", "Acme", "--retain", "-1", "--yes"},
                {"1", "no organisation named 'Nope'", "purge-logs", "Nope", "--yes"},
                {"1", "app " + other + " is not an app of organisation 'Acme'", "purge-logs", "Acme", "--app-id", other, "--yes"},
                {"2", "--app-id: 'vault' is not an app id (a UUID)", "purge-logs", "Acme", "--app-id", "vault", "--yes"},
                {"2", "add --yes to confirm", "purge-logs", "Acme"},
                {"2", "ORG_NAME or --all-orgs is required", "purge-logs", "--yes"},
                {"2", "give ORG_NAME or --all-orgs, not both", "purge-logs", "Acme", "--all-orgs", "--yes"},
                {"2", "--batch-size must be 1..1000000, got 0", "purge-logs", "Acme", "--batch-size", "0", "--yes"},
        };
        for (String[] c : cases) {
            CliRun r = admin(Arrays.copyOfRange(c, 2, c.length));
            assertThat(r.code()).as(String.join(" ", c)).isEqualTo(Integer.parseInt(c[0]));
            assertThat(r.err()).as(String.join(" ", c)).contains(c[1]);
        }
        assertThat(rows(acme)).isEqualTo(1100);
        assertThat(d.queryValue("SELECT count(*) FROM admin_actions")).isEqualTo(0L);
    }
}
