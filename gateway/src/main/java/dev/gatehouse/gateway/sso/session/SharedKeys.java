package dev.gatehouse.gateway.sso.session;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.config.ConfigLoader;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.sso.KeyEncryption;
import dev.gatehouse.core.sso.SsoSettings;
import dev.gatehouse.gateway.timers.DaemonScheduler;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys of one purpose shared by every replica through {@code sso_keys} and held in memory: using them never waits
 * on the database. Read again every {@link #REFRESH}; a new key is written {@link #ANNOUNCE} ahead of its use (longer
 * than the refresh), so every replica knows it before one uses it. A key is current for {@code rotation}, then still
 * opens (or verifies) for {@code lifetime} more.
 *
 * <p>With a key-encryption key, the material is stored encrypted ({@link KeyEncryption}), and plain material (written
 * before there was one) is encrypted when met. Stored keys this gateway cannot open — encrypted under another key,
 * altered, or encrypted while it has no key — fail the start ({@link #start}) or, met later, are logged at ERROR and
 * leave the keys as they were: never does a gateway write a key beside ones it cannot read.
 *
 * @param <K> the key as used (a secret, a key pair)
 */
public final class SharedKeys<K> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SharedKeys.class);
    static final Duration REFRESH = Duration.ofSeconds(30);
    static final Duration ANNOUNCE = Duration.ofSeconds(75);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A key: current from {@code activeFrom}, usable for opening or verifying until {@code expiresAt}. */
    public record Key<K>(String kid, K value, Instant activeFrom, Instant expiresAt) {
    }

    private final Database database;
    private final String purpose;
    private final Duration rotation;
    private final Duration lifetime;
    private final Supplier<String> generate;
    private final Function<String, K> parse;
    private final KeyEncryption kek;
    private final Duration refresh;
    private final Duration announce;
    private final ScheduledExecutorService scheduler;
    private volatile List<Key<K>> keys = List.of();
    private volatile long lastReloadNanos;
    /** The stored keys' problem last logged, so that each is logged once (null: none). */
    private volatile String problem;

    /**
     * @param generate new key material, plain
     * @param parse    plain material to a usable key
     * @param kek      what the material is stored encrypted with; null: stored plain
     */
    public SharedKeys(Database database, String purpose, Duration rotation, Duration lifetime, Supplier<String> generate,
               Function<String, K> parse, KeyEncryption kek) {
        this(database, purpose, rotation, lifetime, generate, parse, kek, REFRESH, ANNOUNCE);
    }

    /** With other refresh and announcement times: for tests that rotate keys in seconds. */
    public SharedKeys(Database database, String purpose, Duration rotation, Duration lifetime, Supplier<String> generate,
               Function<String, K> parse, KeyEncryption kek, Duration refresh, Duration announce) {
        this.refresh = refresh;
        this.announce = announce;
        this.database = database;
        this.purpose = purpose;
        this.rotation = rotation;
        this.lifetime = lifetime;
        this.generate = generate;
        this.parse = parse;
        this.kek = kek;
        this.scheduler = DaemonScheduler.named("gatehouse-sso-" + purpose + "-keys");
    }

    /**
     * Reads (and if need be writes) the keys now when the database answers, then keeps them current. Stored keys this
     * gateway cannot open fail it with a {@link GatehouseException} of one line.
     */
    public SharedKeys<K> start() {
        if (database.reachableAtOpen()) {
            reload(true);
        }
        scheduler.scheduleWithFixedDelay(this::refresh, refresh.toMillis(), refresh.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** The key to use now; null when none is known yet (no database since start). */
    public Key<K> current() {
        Instant now = Instant.now();
        Key<K> best = null;
        for (Key<K> k : keys) {
            if (!k.activeFrom().isAfter(now) && k.expiresAt().isAfter(now)
                    && (best == null || k.activeFrom().isAfter(best.activeFrom()))) {
                best = k;
            }
        }
        return best;
    }

    /** Every key not expired, the announced ones too (what a verifier may meet soon). */
    public List<Key<K>> all() {
        return keys;
    }

    /** The key named {@code kid} if it has not expired; an unknown one asks for a reload (at most once a second). */
    public Key<K> find(String kid) {
        Instant now = Instant.now();
        for (Key<K> k : keys) {
            if (k.kid().equals(kid)) {
                return k.expiresAt().isAfter(now) ? k : null;
            }
        }
        long last = lastReloadNanos;
        if (System.nanoTime() - last > TimeUnit.SECONDS.toNanos(1)) {
            lastReloadNanos = System.nanoTime();
            scheduler.execute(this::refresh);
        }
        return null;
    }

    /** Reads the keys; writes the next one when the newest is current for less than one more refresh and announcement. */
    public void refresh() {
        reload(false);
    }

    private void reload(boolean starting) {
        try (Connection c = database.dataSource().getConnection()) {
            refuseUnopenable(c);
            if (kek != null) {
                encryptPlain(c);
            }
            List<Key<K>> read = read(c);
            Instant now = Instant.now();
            Key<K> newest = read.stream().max(Comparator.comparing(Key::activeFrom)).orElse(null);
            if (newest == null || newest.activeFrom().plus(rotation).isBefore(now.plus(refresh).plus(announce))) {
                // the very first key is current at once (nothing was sealed or signed before it); the next is announced
                Instant from = newest == null ? now : latest(now.plus(announce), newest.activeFrom().plus(rotation));
                insert(c, from);
                read = read(c);
            }
            keys = List.copyOf(read);
            lastReloadNanos = System.nanoTime();
            problem = null;
        } catch (Unopenable e) {
            if (starting) {
                throw e;
            }
            if (!e.getMessage().equals(problem)) {
                problem = e.getMessage();
                log.error("{}", e.getMessage());
            }
        } catch (SQLException | RuntimeException e) {
            log.debug("SSO {} keys not refreshed: {}", purpose, Database.sqlReason(e));
        }
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private void insert(Connection c, Instant activeFrom) throws SQLException {
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO sso_keys (kid, purpose, material, active_from, expires_at)"
                + " VALUES (?, ?, ?, ?, ?)")) {
            String kid = Base64.getUrlEncoder().withoutPadding().encodeToString(id);
            ps.setString(1, kid);
            ps.setString(2, purpose);
            ps.setString(3, kek == null ? generate.get() : kek.seal(purpose, kid, generate.get()));
            ps.setTimestamp(4, Timestamp.from(activeFrom));
            ps.setTimestamp(5, Timestamp.from(activeFrom.plus(rotation).plus(lifetime)));
            ps.executeUpdate();
        }
        log.info("New SSO {} key, current from {}", purpose, activeFrom);
        // a key past its expiry opens and verifies nothing: its material only waits to leak; a day's grace for clocks
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM sso_keys WHERE purpose = ?"
                + " AND expires_at < now() - interval '1 day'")) {
            ps.setString(1, purpose);
            int gone = ps.executeUpdate();
            if (gone > 0) {
                log.info("Deleted {} expired SSO {} key(s)", gone, purpose);
            }
        }
    }

    private List<Key<K>> read(Connection c) throws SQLException {
        List<Key<K>> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT kid, material, active_from, expires_at FROM sso_keys"
                + " WHERE purpose = ? AND expires_at > now() ORDER BY active_from")) {
            ps.setString(1, purpose);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Key<>(rs.getString(1), parse.apply(plain(rs.getString(1), rs.getString(2))),
                            rs.getTimestamp(3).toInstant(), rs.getTimestamp(4).toInstant()));
                }
            }
        }
        return out;
    }

    /** Stored material as plain material: as it is, or decrypted. */
    private String plain(String kid, String stored) {
        if (!KeyEncryption.isEncrypted(stored)) {
            return stored;
        }
        if (kek == null) { // refuseUnopenable has just seen none: one written since
            throw new Unopenable(withoutKey(KeyEncryption.keyIdOf(stored)));
        }
        try {
            return kek.open(purpose, kid, stored);
        } catch (KeyEncryption.Refused e) {
            throw new Unopenable("SSO " + purpose + " key " + kid + " in sso_keys " + e.getMessage());
        }
    }

    /**
     * Refuses a table holding a key (of any purpose, expired or not) encrypted under another key than this gateway's,
     * or encrypted at all when it has none: before this gateway encrypts or writes anything beside it.
     */
    private void refuseUnopenable(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT purpose, kid, material FROM sso_keys WHERE "
                + KeyEncryption.ENCRYPTED_SQL + " AND split_part(material, ':', 2) <> ? ORDER BY active_from DESC LIMIT 1")) {
            ps.setString(1, kek == null ? "" : kek.id());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    if (kek == null) {
                        throw new Unopenable(withoutKey(KeyEncryption.keyIdOf(rs.getString(3))));
                    }
                    try {
                        kek.open(rs.getString(1), rs.getString(2), rs.getString(3));
                    } catch (KeyEncryption.Refused e) {
                        throw new Unopenable("SSO " + rs.getString(1) + " key " + rs.getString(2) + " in sso_keys "
                                + e.getMessage());
                    }
                }
            }
        }
    }

    private static String withoutKey(String kekId) {
        return "SSO keys in sso_keys are encrypted (key-encryption key " + kekId + "): this gateway needs "
                + SsoSettings.KEY_ENCRYPTION_KEY_FILE + " (or " + ConfigLoader.SSO_KEY_ENCRYPTION_KEY_ENV
                + ") with the key the other replicas have";
    }

    /**
     * Encrypts this purpose's plain keys, expired ones too (a dump would hold them as well), in one transaction. Each
     * update names the plain value it replaces: of two replicas doing this at once, the second updates nothing (the row
     * changed under its WHERE), so no key is encrypted twice or lost.
     */
    private void encryptPlain(Connection c) throws SQLException {
        List<String[]> plain = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT kid, material FROM sso_keys WHERE purpose = ? AND NOT "
                + KeyEncryption.ENCRYPTED_SQL + " ORDER BY kid")) { // one order for all: no deadlock between replicas
            ps.setString(1, purpose);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plain.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
        }
        if (plain.isEmpty()) {
            return;
        }
        int encrypted = 0;
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("UPDATE sso_keys SET material = ? WHERE kid = ? AND purpose = ?"
                + " AND material = ?")) {
            for (String[] row : plain) {
                ps.setString(1, kek.seal(purpose, row[0], row[1]));
                ps.setString(2, row[0]);
                ps.setString(3, purpose);
                ps.setString(4, row[1]);
                encrypted += ps.executeUpdate();
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
        if (encrypted > 0) {
            log.info("Encrypted {} SSO {} key(s) stored plain in sso_keys, with {}", encrypted, purpose, kek);
        }
    }

    /** Stored keys this gateway cannot open: one line naming what to fix. */
    static final class Unopenable extends GatehouseException {
        private static final long serialVersionUID = 1L;

        Unopenable(String message) {
            super(message);
        }
    }

    /** 32 random bytes, base64url: a session key's material. */
    public static String randomSecret() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
