package dev.gatehouse.gateway.sso.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.db.DatabaseSettings;
import dev.gatehouse.core.sso.KeyEncryption;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.sso.SingleSignOn;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SSO keys encrypted at rest, against the real PostgreSQL: what the table holds, two replicas on one database,
 * plain keys encrypted by the first start with a key (and by replicas racing to do it), and the starts refused.
 */
class KeyEncryptionIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    Path dir;
    TestDatabase d;

    @BeforeEach
    void empty() {
        d = db.database();
        d.update("DELETE FROM sso_keys");
    }

    static String randomKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    Path keyFile(String name, String key) throws Exception {
        return Files.writeString(dir.resolve(name), key + "\n");
    }

    static KeyEncryption kek(String key) {
        return KeyEncryption.parse(key, "test key (gatehouse.sso.key-encryption-key-file)");
    }

    Database open(String name) throws Exception {
        return Database.open(DatabaseSettings.from(GatewayConfigs.load(dir, d, "")), name);
    }

    static SharedKeys<SecretKey> sessionKeys(Database database, KeyEncryption kek) {
        return new SharedKeys<>(database, "session", Duration.ofHours(1), Duration.ofHours(8), SharedKeys::randomSecret,
                m -> new SecretKeySpec(Base64.getUrlDecoder().decode(m), "AES"), kek);
    }

    static SharedKeys<ECKey> assertionKeys(Database database, KeyEncryption kek) {
        return new SharedKeys<>(database, "assertion", Duration.ofHours(1), Duration.ofHours(2), Assertions::generate,
                Assertions::parse, kek);
    }

    Map<String, String> materials() throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        try (var c = d.connect(); var rs = c.createStatement().executeQuery("SELECT kid, material FROM sso_keys ORDER BY kid")) {
            while (rs.next()) {
                m.put(rs.getString(1), rs.getString(2));
            }
        }
        return m;
    }

    static boolean verifies(String jwt, SharedKeys<ECKey> keys) throws Exception {
        SignedJWT parsed = SignedJWT.parse(jwt);
        return parsed.verify(new ECDSAVerifier(keys.find(parsed.getHeader().getKeyID()).value().toECPublicKey()));
    }

    @Test
    void withAKeyTheTableHoldsNoPlainKeyAndTwoReplicasReadTheSameKeys() throws Exception {
        KeyEncryption kek = kek(randomKey());
        try (Database one = open("a"); Database two = open("b")) {
            SharedKeys<SecretKey> a = sessionKeys(one, kek);
            SharedKeys<SecretKey> b = sessionKeys(two, kek);
            SharedKeys<ECKey> aa = assertionKeys(one, kek);
            SharedKeys<ECKey> ba = assertionKeys(two, kek);
            a.refresh();
            aa.refresh();
            b.refresh();
            ba.refresh();

            SharedKeys.Key<SecretKey> key = a.current();
            assertThat(b.current().kid()).isEqualTo(key.kid());
            assertThat(b.current().value().getEncoded()).as("the same secret").isEqualTo(key.value().getEncoded());
            Map<String, String> stored = materials();
            assertThat(stored).hasSize(2);
            String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(key.value().getEncoded());
            assertThat(stored.values()).allSatisfy(m -> assertThat(m).startsWith("v1:" + kek.id() + ":")
                    .doesNotContain(secret).doesNotContain("\"d\""));

            String session = SharedKeysIT.seal(a, "alice");
            assertThat(Sealed.open(b, Sealed.SESSION, session, Instant.now()).getSubject()).isEqualTo("alice");
            String assertion = new Assertions(aa, "gatehouse", false).assertion("Acme", "id-1", "alice", "a@acme.test",
                    "203.0.113.9", null, "Acme");
            assertThat(verifies(assertion, ba)).as("the other replica's public key verifies it").isTrue();
            for (SharedKeys<?> k : List.of(a, b, aa, ba)) {
                k.close();
            }
        }
    }

    @Test
    void plainKeysAreEncryptedAtTheNextStartWithAKeyAndStillOpenWhatTheyMade() throws Exception {
        String session;
        String assertion;
        Map<String, String> plain;
        try (Database one = open("plain")) {
            SharedKeys<SecretKey> s = sessionKeys(one, null);
            SharedKeys<ECKey> a = assertionKeys(one, null);
            s.refresh();
            a.refresh();
            session = SharedKeysIT.seal(s, "alice");
            assertion = new Assertions(a, "gatehouse", false).assertion("Acme", "id-1", "alice", "a@acme.test",
                    "203.0.113.9", null, "Acme");
            plain = materials();
            assertThat(plain.values()).noneMatch(KeyEncryption::isEncrypted);
            s.close();
            a.close();
        }
        // and a key already expired, still in its day of grace: a dump holds it too
        d.update("INSERT INTO sso_keys (kid, purpose, material, active_from, expires_at) VALUES ('expired-an-hour',"
                + " 'session', 'c2VjcmV0', now() - interval '10 hours', now() - interval '1 hour')");
        KeyEncryption kek = kek(randomKey());
        try (Database two = open("encrypted")) {
            SharedKeys<SecretKey> s = sessionKeys(two, kek);
            SharedKeys<ECKey> a = assertionKeys(two, kek);
            try (LogCapture log = LogCapture.of(SharedKeys.class)) {
                s.start();
                a.start();
                assertThat(log.messages(Level.INFO)).anyMatch(m -> m.startsWith("Encrypted 2 SSO session key(s) stored plain"));
            }
            Map<String, String> stored = materials();
            assertThat(stored.keySet()).containsAll(plain.keySet()).contains("expired-an-hour");
            assertThat(stored.values()).allMatch(m -> m.startsWith("v1:" + kek.id() + ":"));
            for (Map.Entry<String, String> e : plain.entrySet()) {
                String purpose = e.getValue().startsWith("{") ? "assertion" : "session";
                assertThat(kek.open(purpose, e.getKey(), stored.get(e.getKey()))).as("the same key, encrypted")
                        .isEqualTo(e.getValue());
            }
            assertThat(Sealed.open(s, Sealed.SESSION, session, Instant.now()).getSubject())
                    .as("a session sealed before still opens").isEqualTo("alice");
            assertThat(verifies(assertion, a)).as("an assertion signed before still verifies").isTrue();
            s.close();
            a.close();
        }
    }

    @Test
    void replicasEncryptingTheSamePlainKeysAtOnceEncryptEachOnce() throws Exception {
        KeyEncryption kek = kek(randomKey());
        for (int round = 0; round < 5; round++) {
            d.update("DELETE FROM sso_keys");
            Map<String, String> plain = new LinkedHashMap<>();
            for (int i = 0; i < 6; i++) {
                String kid = "plain-key-" + round + "-" + i;
                plain.put(kid, SharedKeys.randomSecret());
                d.update("INSERT INTO sso_keys (kid, purpose, material, active_from, expires_at) VALUES (?, 'session', ?,"
                        + " now() - interval '1 minute' * ?, now() + interval '8 hours')", kid, plain.get(kid), i);
            }
            int replicas = 4;
            List<Database> databases = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(replicas);
            try {
                CyclicBarrier together = new CyclicBarrier(replicas);
                List<Future<SharedKeys<SecretKey>>> started = new ArrayList<>();
                for (int r = 0; r < replicas; r++) {
                    Database database = open("r" + r);
                    databases.add(database);
                    started.add(pool.submit(() -> {
                        SharedKeys<SecretKey> k = sessionKeys(database, kek);
                        together.await();
                        k.refresh();
                        return k;
                    }));
                }
                for (Future<SharedKeys<SecretKey>> f : started) {
                    SharedKeys<SecretKey> k = f.get();
                    assertThat(k.all()).as("every replica read every key").hasSize(6);
                    k.close();
                }
            } finally {
                pool.shutdownNow();
                databases.forEach(Database::close);
            }
            Map<String, String> stored = materials();
            assertThat(stored.keySet()).as("no key lost, none written").isEqualTo(plain.keySet());
            for (Map.Entry<String, String> e : plain.entrySet()) {
                assertThat(kek.open("session", e.getKey(), stored.get(e.getKey()))).as("encrypted once")
                        .isEqualTo(e.getValue());
            }
        }
    }

    @Test
    void aKeyAnotherReplicaEncryptsMeanwhileIsLeftAsThatReplicaWroteIt() throws Exception {
        KeyEncryption kek = kek(randomKey());
        String secret = SharedKeys.randomSecret();
        d.update("INSERT INTO sso_keys (kid, purpose, material, active_from, expires_at) VALUES ('racing-key', 'session',"
                + " ?, now(), now() + interval '8 hours')", secret);
        String theirs = kek.seal("session", "racing-key", secret);
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try (Connection other = d.connect(); Database mine = open("mine")) {
            other.setAutoCommit(false); // the other replica, its UPDATE not committed yet
            try (PreparedStatement ps = other.prepareStatement("UPDATE sso_keys SET material = ? WHERE kid = 'racing-key'")) {
                ps.setString(1, theirs);
                ps.executeUpdate();
            }
            SharedKeys<SecretKey> k = sessionKeys(mine, kek);
            Future<?> refreshed = thread.submit(k::refresh); // reads the key as plain, then waits on the row
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (((Number) d.queryValue("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    + " AND query LIKE 'UPDATE sso_keys SET material%'")).intValue() == 0) {
                assertThat(System.nanoTime()).as("the replica's UPDATE waits on the row").isLessThan(deadline);
                Thread.sleep(20);
            }
            other.commit();
            refreshed.get();
            assertThat(materials().get("racing-key")).as("not encrypted again over the other's").isEqualTo(theirs);
            assertThat(k.find("racing-key").value().getEncoded()).isEqualTo(Base64.getUrlDecoder().decode(secret));
            k.close();
        } finally {
            thread.shutdownNow();
        }
    }

    @Test
    void aWrongKeyFailsTheStartWithOneLineNamingTheFile() throws Exception {
        Path right = keyFile("right.key", randomKey());
        try (Gateway g = Gateway.start(GatewayConfigs.load(dir, d, "gatehouse.sso.key-encryption-key-file = \"" + right
                + "\"\n"))) {
            assertThat(materials().values()).hasSize(2).allMatch(KeyEncryption::isEncrypted);
        }
        Path wrong = keyFile("wrong.key", randomKey());
        assertThatThrownBy(() -> Gateway.start(GatewayConfigs.load(dir, d, "gatehouse.sso.key-encryption-key-file = \""
                + wrong + "\"\n"))).isExactlyInstanceOf(SharedKeys.Unopenable.class)
                .hasMessageContaining(" in sso_keys is encrypted under key-encryption key ")
                .hasMessageContaining("from " + wrong + " (gatehouse.sso.key-encryption-key-file): every replica needs"
                        + " the same key")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> Gateway.start(GatewayConfigs.load(dir, d, ""))).isInstanceOf(GatehouseException.class)
                .hasMessageStartingWith("SSO keys in sso_keys are encrypted (key-encryption key ")
                .hasMessageEndingWith("this gateway needs gatehouse.sso.key-encryption-key-file (or"
                        + " GATEHOUSE_SSO_KEY_ENCRYPTION_KEY) with the key the other replicas have");

        // the right key, but a row's material copied onto another row: refused too, naming the file
        Map<String, String> stored = materials();
        List<String> kids = new ArrayList<>(stored.keySet());
        String sessionKid = (String) d.queryValue("SELECT kid FROM sso_keys WHERE purpose = 'session'");
        d.update("UPDATE sso_keys SET material = ? WHERE kid = ?", stored.get(kids.get(0).equals(sessionKid)
                ? kids.get(1) : kids.get(0)), sessionKid);
        assertThatThrownBy(() -> Gateway.start(GatewayConfigs.load(dir, d, "gatehouse.sso.key-encryption-key-file = \""
                + right + "\"\n"))).isInstanceOf(GatehouseException.class)
                .hasMessage("SSO session key " + sessionKid + " in sso_keys does not decrypt with key-encryption key "
                        + kek(Files.readString(right)).id() + " from " + right + " (gatehouse.sso.key-encryption-key-file):"
                        + " it was altered, or copied from another row");
    }

    @Test
    void withoutAKeyTheStartWarnsOnceAndKeysStayPlain() throws Exception {
        try (LogCapture log = LogCapture.of(SingleSignOn.class);
             Gateway g = Gateway.start(GatewayConfigs.load(dir, d, ""))) {
            assertThat(log.messages(Level.WARN)).filteredOn(m -> m.contains("sso_keys")).containsExactly(
                    "SSO keys are stored unencrypted in sso_keys: set gatehouse.sso.key-encryption-key-file (or"
                            + " GATEHOUSE_SSO_KEY_ENCRYPTION_KEY) to a 256-bit key, the same on every replica (openssl"
                            + " rand -base64 32), and they are encrypted at the next start");
            assertThat(materials().values()).hasSize(2).noneMatch(KeyEncryption::isEncrypted);
        }
    }

    @Test
    void aMalformedKeyStopsTheStartBeforeAnythingStarts() throws Exception {
        Path bad = keyFile("bad.key", "not a key at all");
        assertThatThrownBy(() -> Gateway.start(GatewayConfigs.load(dir, d, "gatehouse.sso.key-encryption-key-file = \""
                + bad + "\"\n"))).isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("configuration: gatehouse.sso.key-encryption-key-file: " + bad + " is not base64");
        assertThat(materials()).as("nothing started: no key written").isEmpty();
    }

    @Test
    void keysMetLaterThatDoNotOpenAreLoggedAtErrorAndStayUnknown() throws Exception {
        try (Database one = open("first")) {
            SharedKeys<SecretKey> other = sessionKeys(one, kek(randomKey()));
            other.refresh();
            other.close();
            // as when the database was unreachable at start: the first refresh meets them
            SharedKeys<SecretKey> k = sessionKeys(one, kek(randomKey()));
            try (LogCapture log = LogCapture.of(SharedKeys.class)) {
                k.refresh();
                k.refresh();
                assertThat(log.messages(Level.ERROR)).as("once").hasSize(1).allMatch(m -> m.contains("every replica needs"
                        + " the same key"));
            }
            assertThat(k.current()).as("no key: sign-in is unavailable, nothing is sealed").isNull();
            assertThat(materials()).as("nothing written beside them").hasSize(1);
            k.close();
        }
    }
}
