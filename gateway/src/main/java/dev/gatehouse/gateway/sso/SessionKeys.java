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
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys that seal sessions, shared by every replica through {@code sso_session_keys} and held in memory: sealing
 * and opening a session never waits on the database. Read again every {@link #REFRESH}; a new key is written
 * {@link #ANNOUNCE} ahead of its use (longer than the refresh), so every replica knows it before one seals with it.
 * A key seals for {@code key-rotation}, then opens what it sealed for a session's lifetime more.
 */
public final class SessionKeys implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SessionKeys.class);
    static final Duration REFRESH = Duration.ofSeconds(30);
    static final Duration ANNOUNCE = Duration.ofSeconds(75);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A key: sealing from {@code activeFrom}, opening until {@code expiresAt}. */
    record Key(String kid, SecretKey secret, Instant activeFrom, Instant expiresAt) {
    }

    private final Database database;
    private final Duration rotation;
    private final Duration sessionLifetime;
    private final ScheduledExecutorService scheduler;
    private volatile List<Key> keys = List.of();
    private volatile long lastReloadNanos;

    public SessionKeys(Database database, Duration rotation, Duration sessionLifetime) {
        this.database = database;
        this.rotation = rotation;
        this.sessionLifetime = sessionLifetime;
        this.scheduler = DaemonScheduler.named("gatehouse-sso-keys");
    }

    /** Reads (and if need be writes) the keys now when the database answers, then keeps them current. */
    public SessionKeys start() {
        if (database.reachableAtOpen()) {
            refresh();
        }
        scheduler.scheduleWithFixedDelay(this::refresh, REFRESH.toMillis(), REFRESH.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** The key to seal with now; null when none is known yet (no database since start). */
    Key sealing() {
        Instant now = Instant.now();
        Key best = null;
        for (Key k : keys) {
            if (!k.activeFrom().isAfter(now) && k.expiresAt().isAfter(now)
                    && (best == null || k.activeFrom().isAfter(best.activeFrom()))) {
                best = k;
            }
        }
        return best;
    }

    /** The key named {@code kid}, if it still opens sessions; an unknown one asks for a reload (at most once a second). */
    Key opening(String kid) {
        Instant now = Instant.now();
        for (Key k : keys) {
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

    /** Reads the keys; writes the next one when the newest seals for less than one more refresh and announcement. */
    void refresh() {
        try (Connection c = database.dataSource().getConnection()) {
            List<Key> read = read(c);
            Instant now = Instant.now();
            Key newest = read.stream().max(java.util.Comparator.comparing(Key::activeFrom)).orElse(null);
            if (newest == null || newest.activeFrom().plus(rotation).isBefore(now.plus(REFRESH).plus(ANNOUNCE))) {
                // the first key of all seals at once (nobody has a session to open yet); the next is announced ahead
                Instant from = newest == null ? now : max(now.plus(ANNOUNCE), newest.activeFrom().plus(rotation));
                insert(c, from);
                read = read(c);
            }
            keys = List.copyOf(read);
            lastReloadNanos = System.nanoTime();
        } catch (SQLException | RuntimeException e) {
            log.debug("SSO session keys not refreshed: {}", Database.sqlReason(e));
        }
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private void insert(Connection c, Instant activeFrom) throws SQLException {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO sso_session_keys (kid, secret, active_from, expires_at)"
                + " VALUES (?, ?, ?, ?)")) {
            ps.setString(1, Base64.getUrlEncoder().withoutPadding().encodeToString(id));
            ps.setBytes(2, secret);
            ps.setTimestamp(3, Timestamp.from(activeFrom));
            ps.setTimestamp(4, Timestamp.from(activeFrom.plus(rotation).plus(sessionLifetime)));
            ps.executeUpdate();
        }
        log.info("New SSO session key, sealing from {}", activeFrom);
    }

    private static List<Key> read(Connection c) throws SQLException {
        List<Key> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT kid, secret, active_from, expires_at FROM sso_session_keys"
                + " WHERE expires_at > now()"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Key(rs.getString(1), new SecretKeySpec(rs.getBytes(2), "AES"), rs.getTimestamp(3).toInstant(),
                        rs.getTimestamp(4).toInstant()));
            }
        }
        return out;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
