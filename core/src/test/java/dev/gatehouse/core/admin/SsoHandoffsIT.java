package dev.gatehouse.core.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.Fixtures;
import dev.gatehouse.core.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Sign-in hand-over codes: used once across every replica, never after they expire. */
class SsoHandoffsIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();

    TestDatabase d;
    UUID acme;

    @BeforeEach
    void setUp() {
        d = db.database();
        d.update("TRUNCATE organisations CASCADE");
        acme = new Fixtures(d).org("Acme");
    }

    static byte[] sha256(String s) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    }

    private byte[] put(String code, Duration ttl) throws Exception {
        byte[] hash = sha256(code);
        SsoHandoffs.put(d.dataSource(), hash, acme, "app.acme.test", sha256("binding-" + code), "sealed-" + code,
                "/reports?q=1", Instant.now().plus(ttl));
        return hash;
    }

    @Test
    void aCodeIsTakenOnceWithWhatWasPut() throws Exception {
        Instant expires = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS).plusSeconds(60); // PostgreSQL's
        byte[] hash = sha256("code-1");
        SsoHandoffs.put(d.dataSource(), hash, acme, "app.acme.test", sha256("binding"), "sealed-session", "/reports?q=1",
                expires);
        SsoHandoffs.Handoff h = SsoHandoffs.take(d.dataSource(), hash);
        assertThat(h).isNotNull();
        assertThat(h.orgId()).isEqualTo(acme);
        assertThat(h.host()).isEqualTo("app.acme.test");
        assertThat(h.bindingHash()).isEqualTo(sha256("binding"));
        assertThat(h.session()).isEqualTo("sealed-session");
        assertThat(h.returnTo()).isEqualTo("/reports?q=1");
        assertThat(h.expiresAt()).isEqualTo(expires);
        assertThat(SsoHandoffs.take(d.dataSource(), hash)).as("single use").isNull();
        assertThat(SsoHandoffs.take(d.dataSource(), sha256("never-put"))).isNull();
        assertThat(d.queryValue("SELECT count(*) FROM sso_handoffs")).isEqualTo(0L);
    }

    @Test
    void anExpiredCodeIsNothingAndIsGoneOnceTried() throws Exception {
        byte[] expired = put("old", Duration.ofSeconds(-1));
        try (Connection c = d.connect()) {
            assertThat(SsoHandoffs.take(c, expired)).isNull();
        }
        assertThat(d.queryValue("SELECT count(*) FROM sso_handoffs")).as("deleted though refused").isEqualTo(0L);

        put("stale", Duration.ofSeconds(-1));
        put("fresh", Duration.ofSeconds(60));
        assertThat(d.queryValue("SELECT count(*) FROM sso_handoffs")).as("a put deletes the expired ones").isEqualTo(1L);
    }

    @Test
    void ofTwoReplicasTakingTheSameCodeAtOnceOneGetsIt() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                byte[] hash = put("race-" + round, Duration.ofSeconds(60));
                CountDownLatch go = new CountDownLatch(1);
                List<Future<SsoHandoffs.Handoff>> takes = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    takes.add(pool.submit(() -> {
                        go.await();
                        return SsoHandoffs.take(d.dataSource(), hash);
                    }));
                }
                go.countDown();
                int won = 0;
                for (Future<SsoHandoffs.Handoff> f : takes) {
                    if (f.get(10, TimeUnit.SECONDS) != null) {
                        won++;
                    }
                }
                assertThat(won).as("round " + round).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCodeHashIsStoredOnceAndAnOrganisationMustExist() throws Exception {
        put("dup", Duration.ofSeconds(60));
        assertThatThrownBy(() -> put("dup", Duration.ofSeconds(60))).isInstanceOf(GatehouseException.class);
        assertThatThrownBy(() -> SsoHandoffs.put(d.dataSource(), sha256("x"), UUID.randomUUID(), "h", sha256("b"), "s", "/",
                Instant.now().plusSeconds(60))).isInstanceOf(GatehouseException.class);
        d.update("DELETE FROM organisations");
        assertThat(d.queryValue("SELECT count(*) FROM sso_handoffs")).as("gone with their organisation").isEqualTo(0L);
    }
}
