package dev.gatehouse.gateway.sso;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.gatehouse.core.config.ConfigLoader;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.core.sso.KeyEncryption;
import dev.gatehouse.core.sso.SsoSettings;
import dev.gatehouse.gateway.support.DaemonScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single sign-on at the edge: the session keys (shared through the database, held in memory), the providers'
 * clients, and the threads sign-ins run on — a few, with a bounded queue, since each waits on a provider; the event
 * loops never do. One per gateway; {@link SsoHandler}s (one per connection) use it.
 */
public final class SingleSignOn implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SingleSignOn.class);
    static final int THREADS = 4;
    static final int QUEUE = 256;
    /** Sessions kept opened at most (beyond it, all are dropped and open again on their next request). */
    static final int OPENED = 100_000;

    final Supplier<PolicySnapshot> snapshots;
    final SharedKeys<SecretKey> keys;
    final SharedKeys<ECKey> assertionKeys;
    final Assertions assertions;
    final SignInFlow flow;
    final Duration idleTimeout;
    final ExecutorService signIns;
    private final KeyEncryption kek;

    /** Sessions opened recently, by cookie: opening one (JWE parse and AES-GCM) is the signed-in request's main cost. */
    private final ConcurrentHashMap<String, JWTClaimsSet> opened = new ConcurrentHashMap<>();

    public SingleSignOn(Database database, SsoSettings settings, Supplier<PolicySnapshot> snapshots) {
        this.snapshots = snapshots;
        this.idleTimeout = settings.sessionIdleTimeout();
        this.kek = settings.keyEncryption();
        this.keys = new SharedKeys<>(database, "session", settings.keyRotation(), settings.sessionLifetime(),
                SharedKeys::randomSecret, m -> new SecretKeySpec(Base64.getUrlDecoder().decode(m), "AES"), kek);
        this.assertionKeys = new SharedKeys<>(database, "assertion", settings.keyRotation(), Assertions.LIFETIME.plusHours(1),
                Assertions::generate, Assertions::parse, kek);
        this.assertions = new Assertions(assertionKeys, settings.publicBaseUrl().isEmpty() ? "gatehouse" : settings.publicBaseUrl(),
                settings.assertionPerRequest());
        this.flow = new SignInFlow(new OidcClients(settings.checkTimeout(), settings.clockSkew()), keys, settings, database);
        this.signIns = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE),
                DaemonScheduler.threads("gatehouse-sign-in", true), new ThreadPoolExecutor.AbortPolicy());
    }

    /**
     * The session a cookie holds, if it opens and has not expired. A cookie that opened once is not opened again
     * while it is valid (its key outlives it: a key opens for a whole session lifetime after its last use).
     */
    JWTClaimsSet session(String cookie, Instant now) {
        if (cookie == null) {
            return null;
        }
        JWTClaimsSet c = opened.get(cookie);
        if (c == null) {
            c = Sealed.open(keys, Sealed.SESSION, cookie, now);
            if (c == null) {
                return null;
            }
            if (opened.size() >= OPENED) {
                opened.clear();
            }
            opened.put(cookie, c);
        } else if (!c.getExpirationTime().toInstant().isAfter(now)) {
            opened.remove(cookie);
            return null;
        }
        return c;
    }

    /** Reads the keys; stored keys this gateway cannot open fail the start (one line), leaving nothing running. */
    public SingleSignOn start() {
        if (kek == null) {
            log.warn("SSO keys are stored unencrypted in sso_keys: set {} (or {}) to a 256-bit key, the same on every"
                    + " replica (openssl rand -base64 32), and they are encrypted at the next start",
                    SsoSettings.KEY_ENCRYPTION_KEY_FILE, ConfigLoader.SSO_KEY_ENCRYPTION_KEY_ENV);
        } else {
            log.info("SSO keys are stored encrypted in sso_keys, with {}", kek);
        }
        try {
            keys.start();
            assertionKeys.start();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        return this;
    }

    @Override
    public void close() {
        signIns.shutdownNow();
        keys.close();
        assertionKeys.close();
    }
}
