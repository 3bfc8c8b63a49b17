package dev.gatehouse.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.Fixtures;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.MetricsScrape;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.TestUpstream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The periodic safety check, with a short refresh interval: a change whose notification never came is enforced at
 * the next check because its organisation's version moved; while nothing moves, the checks reload nothing.
 */
class PolicyVersionCheckIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    static Path dir;

    static TestUpstream upstream;
    static Gateway gateway;
    static UUID quiet;
    static UUID office;

    @BeforeAll
    static void start() throws Exception {
        TestDatabase d = db.database();
        Fixtures f = new Fixtures(d);
        quiet = f.org("Quiet");
        office = f.policy(quiet, "office", true, "allow 203.0.113.0/24");
        upstream = new TestUpstream();
        gateway = Gateway.start(GatewayConfigs.load(dir, d, "gatehouse.client-ip.trusted-proxies = [\"127.0.0.1\"]\n"
                + "gatehouse.policies.refresh-interval = 200ms\n"
                + "gatehouse.routes = [ { prefix = \"/\", upstream = \"http://127.0.0.1:" + upstream.port()
                + "\", org = \"Quiet\" } ]\n"));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        upstream.close();
    }

    static int status(String clientIp) throws Exception {
        try (RawHttp c = new RawHttp(gateway.port())) {
            return c.send("GET /q HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: " + clientIp + "\r\n\r\n").read().status();
        }
    }

    /** Adds an entry with the triggers off (no NOTIFY); with {@code newVersion}, moves the version as they would. */
    static void unannouncedEntry(String network, boolean newVersion) throws Exception {
        try (Connection c = db.database().connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("SET LOCAL session_replication_role = replica");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO network_policy_entries (policy_id, action,"
                    + " network) VALUES (?, 'allow', ?::cidr)")) {
                ps.setObject(1, office);
                ps.setString(2, network);
                ps.executeUpdate();
            }
            if (newVersion) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE policy_versions SET version ="
                        + " nextval('policy_version_seq'), changed_xid = pg_current_xact_id() WHERE org_id = ?")) {
                    ps.setObject(1, quiet);
                    assertThat(ps.executeUpdate()).isEqualTo(1);
                }
            }
            c.commit();
        }
    }

    static double reloads() throws Exception {
        return MetricsScrape.samples(gateway.managementPort()).get("gatehouse_policy_reloads_total");
    }

    @Test
    void aChangeWhoseNotificationWasLostIsEnforcedAtTheNextCheckAndIdleChecksReloadNothing() throws Exception {
        assertThat(status("192.0.2.9")).isEqualTo(403);
        double before = reloads();
        Thread.sleep(1_000); // five checks
        assertThat(reloads()).as("idle: checked, nothing read again").isEqualTo(before);

        unannouncedEntry("198.51.100.0/24", false);
        Thread.sleep(1_000);
        assertThat(status("198.51.100.1")).as("a change that moved no version is not reloaded wholesale")
                .isEqualTo(403);

        unannouncedEntry("192.0.2.9/32", true);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (status("192.0.2.9") != 200) {
            assertThat(System.nanoTime()).as("enforced within a few checks").isLessThan(deadline);
            Thread.sleep(20);
        }
        assertThat(reloads()).isEqualTo(before + 1);
        assertThat(status("198.51.100.1")).as("read with its organisation").isEqualTo(200);
    }
}
