package dev.gatehouse.gateway.sso.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.db.DatabaseSettings;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key rotation across two replicas sharing one database, in seconds instead of a day: the next key is announced
 * before it seals, so the other replica opens what the first seals with it; the old key still opens what it sealed.
 */
class SharedKeysIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    Path dir;

    static SharedKeys<SecretKey> keys(Database d) {
        return new SharedKeys<>(d, "session", Duration.ofSeconds(3), Duration.ofSeconds(30), SharedKeys::randomSecret,
                m -> new SecretKeySpec(Base64.getUrlDecoder().decode(m), "AES"), null, Duration.ofMillis(500), Duration.ofSeconds(1));
    }

    static String seal(SharedKeys<SecretKey> k, String who) {
        return Sealed.seal(k, Sealed.SESSION, new JWTClaimsSet.Builder().subject(who)
                .expirationTime(Date.from(Instant.now().plusSeconds(60))).build());
    }

    @Test
    void theNextKeyIsKnownEverywhereBeforeItSealsAndTheOldOneStillOpens() throws Exception {
        db.database().update("DELETE FROM sso_keys");
        try (Database one = Database.open(DatabaseSettings.from(GatewayConfigs.load(dir, db.database(), "")), "a");
             Database two = Database.open(DatabaseSettings.from(GatewayConfigs.load(dir, db.database(), "")), "b")) {
            SharedKeys<SecretKey> a = keys(one);
            SharedKeys<SecretKey> b = keys(two);
            a.refresh();
            b.refresh();
            SharedKeys.Key<SecretKey> first = a.current();
            assertThat(first).isNotNull();
            assertThat(b.current().kid()).as("one key, shared").isEqualTo(first.kid());
            String early = seal(a, "early");

            Thread.sleep(1600); // less than refresh + announcement left in the first key's rotation: the next is written
            b.refresh();
            a.refresh();
            assertThat(a.all()).hasSize(2);
            SharedKeys.Key<SecretKey> next = a.all().get(1);
            assertThat(next.activeFrom()).as("announced ahead").isAfter(Instant.now());
            assertThat(a.current().kid()).as("not sealing yet").isEqualTo(first.kid());

            Thread.sleep(Math.max(0, Duration.between(Instant.now(), next.activeFrom()).toMillis()) + 100);
            assertThat(a.current().kid()).isEqualTo(next.kid());
            String late = seal(a, "late");
            assertThat(Sealed.open(b, Sealed.SESSION, late, Instant.now()).getSubject()).as("the other replica opens it")
                    .isEqualTo("late");
            assertThat(Sealed.open(b, Sealed.SESSION, early, Instant.now()).getSubject()).as("the old key still opens")
                    .isEqualTo("early");
            a.close();
            b.close();
        }
    }

    @Test
    void aRotationDeletesKeysLongExpiredAndKeepsTheRest() throws Exception {
        db.database().update("DELETE FROM sso_keys");
        db.database().update("INSERT INTO sso_keys (kid, purpose, material, active_from, expires_at) VALUES"
                + " ('expired-long-ago', 'session', 'x', now() - interval '10 days', now() - interval '2 days'),"
                + " ('expired-an-hour', 'session', 'x', now() - interval '10 days', now() - interval '1 hour'),"
                + " ('assertion-old-1', 'assertion', 'x', now() - interval '10 days', now() - interval '2 days')");
        try (Database one = Database.open(DatabaseSettings.from(GatewayConfigs.load(dir, db.database(), "")), "a")) {
            SharedKeys<SecretKey> a = keys(one);
            a.refresh(); // no current session key: one is written, and the long-expired one goes
            assertThat(db.database().queryValue("SELECT string_agg(kid, ',' ORDER BY kid) FROM sso_keys"
                    + " WHERE kid NOT IN (SELECT kid FROM sso_keys WHERE expires_at > now())"))
                    .as("a day's grace; another purpose's keys are its own rotation's").isEqualTo("assertion-old-1,expired-an-hour");
            a.close();
        }
    }
}
