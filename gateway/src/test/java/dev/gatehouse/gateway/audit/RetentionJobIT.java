package dev.gatehouse.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.Fixtures;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.core.testing.TestDatabases;
import java.sql.Connection;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The gateway's automatic retention: the per-organisation and per-app days, one replica at a time. */
class RetentionJobIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();

    private void events(TestDatabase d, UUID org, UUID app, int n, String age) {
        d.update("INSERT INTO access_events (ts, event_id, org_id, app_id, client_ip, decision)"
                + " SELECT now() - ?::interval, gen_random_uuid(), ?, ?, '192.0.2.1', 'allow' FROM generate_series(1, ?)",
                age, org, app, n);
    }

    @Test
    void appliesOrganisationAndAppRetentionUnderTheAdvisoryLock() throws Exception {
        TestDatabase d = db.database();
        Fixtures f = new Fixtures(d);
        UUID acme = f.org("Acme");
        UUID keep = f.org("KeepForever");
        UUID vault = f.app(acme, "vault");
        d.update("UPDATE organisations SET audit_retention_days = 30 WHERE id = ?", acme);
        d.update("UPDATE apps SET audit_retention_days = 60 WHERE id = ?", vault);
        events(d, acme, null, 10, "40 days");   // past the org's 30 days: deleted
        events(d, acme, null, 5, "1 day");      // kept
        events(d, acme, vault, 7, "40 days");   // the app keeps 60 days: kept
        events(d, acme, vault, 3, "70 days");   // deleted
        events(d, keep, null, 4, "400 days");   // no retention: kept
        for (Object[] e : new Object[][] {{acme, "40 days"}, {acme, "1 day"}, {keep, "400 days"}}) {
            d.update("INSERT INTO sso_events (ts, org_id, event, email) VALUES (now() - ?::interval, ?, 'sign-in',"
                    + " 'alice@acme.test')", e[1], e[0]);
        }
        for (String age : new String[] {"8 days", "30 days", "6 days"}) { // no organisation: a week, whatever is set
            d.update("INSERT INTO sso_events (ts, org_id, event, reason) VALUES (now() - ?::interval, NULL,"
                    + " 'sign-in refused', 'sso_no_sign_in')", age);
        }

        try (Database database = Database.open(TestDatabases.settings(d), "retention-test");
             RetentionJob job = new RetentionJob(database, Duration.ofHours(24))) {
            try (Connection holder = d.connect()) {
                holder.createStatement().execute("SELECT pg_advisory_lock(" + RetentionJob.LOCK_KEY + ")");
                assertThat(job.runOnce()).as("another replica holds the lock").isFalse();
                assertThat(d.queryValue("SELECT count(*) FROM access_events")).isEqualTo(29L);
                holder.createStatement().execute("SELECT pg_advisory_unlock(" + RetentionJob.LOCK_KEY + ")");
            }
            assertThat(job.runOnce()).isTrue();
        }
        assertThat(d.queryValue("SELECT count(*) FROM access_events WHERE org_id = ? AND app_id IS NULL", acme)).isEqualTo(5L);
        assertThat(d.queryValue("SELECT count(*) FROM access_events WHERE app_id = ?", vault)).isEqualTo(7L);
        assertThat(d.queryValue("SELECT count(*) FROM access_events WHERE org_id = ?", keep)).isEqualTo(4L);
        assertThat(d.queryValue("SELECT actor || ' ' || command || ' ' || (after->>'deleted') || ' '"
                + " || (after->>'sign_in_events_deleted') || ' ' || (after->>'sign_in_events_without_org_deleted')"
                + " FROM admin_actions")).isEqualTo("gateway retention (automatic) 13 1 2");
        assertThat(d.queryValue("SELECT count(*) FROM sso_events WHERE org_id = ?", acme))
                .as("sign-in events follow the organisation's retention").isEqualTo(1L);
        assertThat(d.queryValue("SELECT count(*) FROM sso_events WHERE org_id = ?", keep)).isEqualTo(1L);
        assertThat(d.queryValue("SELECT count(*) FROM sso_events WHERE org_id IS NULL"))
                .as("of no organisation: the week-old ones go").isEqualTo(1L);
    }
}
