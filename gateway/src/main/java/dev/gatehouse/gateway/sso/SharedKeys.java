package dev.gatehouse.gateway.sso;

import dev.gatehouse.core.db.Database;
import dev.gatehouse.gateway.support.DaemonScheduler;
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
 * @param <K> the key as used (a secret, a key pair)
 */
final class SharedKeys<K> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SharedKeys.class);
    static final Duration REFRESH = Duration.ofSeconds(30);
    static final Duration ANNOUNCE = Duration.ofSeconds(75);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A key: current from {@code activeFrom}, usable for opening or verifying until {@code expiresAt}. */
    record Key<K>(String kid, K value, Instant activeFrom, Instant expiresAt) {
    }

    private final Database database;
    private final String purpose;
    private final Duration rotation;
    private final Duration lifetime;
    private final Supplier<String> generate;
    private final Function<String, K> parse;
    private final Duration refresh;
    private final Duration announce;
    private final ScheduledExecutorService scheduler;
    private volatile List<Key<K>> keys = List.of();
    private volatile long lastReloadNanos;

    /**
     * @param generate new key material, as stored
     * @param parse    stored material to a usable key
     */
    SharedKeys(Database database, String purpose, Duration rotation, Duration lifetime, Supplier<String> generate,
               Function<String, K> parse) {
        this(database, purpose, rotation, lifetime, generate, parse, REFRESH, ANNOUNCE);
    }

    /** With other refresh and announcement times: for tests that rotate keys in seconds. */
    SharedKeys(Database database, String purpose, Duration rotation, Duration lifetime, Supplier<String> generate,
               Function<String, K> parse, Duration refresh, Duration announce) {
        this.refresh = refresh;
        this.announce = announce;
        this.database = database;
        this.purpose = purpose;
        this.rotation = rotation;
        this.lifetime = lifetime;
        this.generate = generate;
        this.parse = parse;
        this.scheduler = DaemonScheduler.named("gatehouse-sso-" + purpose + "-keys");
    }

    /** Reads (and if need be writes) the keys now when the database answers, then keeps them current. */
    SharedKeys<K> start() {
        if (database.reachableAtOpen()) {
            refresh();
        }
        scheduler.scheduleWithFixedDelay(this::refresh, refresh.toMillis(), refresh.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** The key to use now; null when none is known yet (no database since start). */
    Key<K> current() {
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
    List<Key<K>> all() {
        return keys;
    }

    /** The key named {@code kid} if it has not expired; an unknown one asks for a reload (at most once a second). */
    Key<K> find(String kid) {
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
    void refresh() {
        try (Connection c = database.dataSource().getConnection()) {
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
            ps.setString(1, Base64.getUrlEncoder().withoutPadding().encodeToString(id));
            ps.setString(2, purpose);
            ps.setString(3, generate.get());
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
                    out.add(new Key<>(rs.getString(1), parse.apply(rs.getString(2)), rs.getTimestamp(3).toInstant(),
                            rs.getTimestamp(4).toInstant()));
                }
            }
        }
        return out;
    }

    /** 32 random bytes, base64url: a session key's material. */
    static String randomSecret() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
