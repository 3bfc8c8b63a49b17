package dev.gatehouse.gateway.sso;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.core.config.ConfigLoader;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.core.route.HostPattern;
import dev.gatehouse.core.sso.SsoSettings;
import dev.gatehouse.gateway.sso.oidc.OidcClients;
import dev.gatehouse.gateway.sso.session.Assertions;
import dev.gatehouse.gateway.sso.session.Sessions;
import dev.gatehouse.gateway.sso.session.SharedKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.HttpRequest;
import java.net.URI;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.Supplier;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single sign-on at the edge, one per gateway: the session keys and sessions (shared through the database, held in
 * memory), the identity assertions, the providers' clients, the sign-in flow and the threads it runs on (shared fairly
 * between organisations), and the per-address throttle of the sign-in pages ({@code sso.sign-in-rate}). {@link SsoHandler}s (one per connection)
 * use it.
 */
public final class SingleSignOn implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SingleSignOn.class);
    /**
     * Sign-in threads, made on demand; each organisation may hold {@link #PER_ORG} of them and queue
     * {@link #QUEUE_PER_ORG} more, so 32 organisations' providers may hang at once before a 33rd waits.
     */
    static final int THREADS = 64;
    static final int PER_ORG = 2;
    static final int QUEUE_PER_ORG = 32;
    static final int ORGS_WAITING = 1024;

    final Supplier<PolicySnapshot> snapshots;
    final SsoSettings settings;
    final Sessions sessions;
    final SharedKeys<SecretKey> keys;
    final SharedKeys<ECKey> assertionKeys;
    final Assertions assertions;
    final SignInFlow flow;
    final SignInThreads threads;
    final SignInThrottle throttle;
    /** The public base URL's host, as routes compare hosts; "" when sign-in is not configured. */
    final String baseHost;
    /**
     * Whether a request's host (as routes compare hosts) is one a route of that organisation names and signs browsers
     * in on: the only hosts sign-in hands a session to.
     */
    final BiPredicate<String, String> routedHost;
    /** ":port" of the public base URL when it names one, else "": the port a hand-over goes to, never the client's. */
    final String basePort;
    final Counter unmatchedCallbacks;
    final Counter throttled;
    private final Set<String> breakGlassWarned = ConcurrentHashMap.newKeySet();
    /** States answered on this replica, until their sign-in would have expired anyway: a replayed answer is refused. */
    private final Map<String, Instant> consumed = new ConcurrentHashMap<>();

    public SingleSignOn(Database database, SsoSettings settings, Supplier<PolicySnapshot> snapshots,
                        BiPredicate<String, String> routedHost, MeterRegistry registry) {
        this.snapshots = snapshots;
        this.settings = settings;
        this.routedHost = routedHost;
        this.keys = new SharedKeys<>(database, "session", settings.keyRotation(), settings.sessionLifetime(),
                SharedKeys::randomSecret, m -> new SecretKeySpec(Base64.getUrlDecoder().decode(m), "AES"),
                settings.keyEncryption());
        this.assertionKeys = new SharedKeys<>(database, "assertion", settings.keyRotation(),
                Assertions.LIFETIME.plusHours(1), Assertions::generate, Assertions::parse, settings.keyEncryption());
        this.sessions = new Sessions(keys, settings.sessionIdleTimeout());
        this.assertions = new Assertions(assertionKeys, settings.publicBaseUrl().isEmpty() ? "gatehouse"
                : settings.publicBaseUrl(), settings.assertionPerRequest());
        this.flow = new SignInFlow(new OidcClients(settings.checkTimeout(), settings.clockSkew()), sessions, settings,
                database, snapshots);
        this.threads = new SignInThreads(THREADS, PER_ORG, QUEUE_PER_ORG, ORGS_WAITING);
        this.throttle = new SignInThrottle(settings.signInBurst(), settings.signInPerSecond());
        this.baseHost = settings.publicBaseUrl().isEmpty() ? ""
                : HostPattern.requestHost(URI.create(settings.publicBaseUrl()).getRawAuthority());
        int port = settings.publicBaseUrl().isEmpty() ? -1 : URI.create(settings.publicBaseUrl()).getPort();
        this.basePort = port < 0 ? "" : ":" + port;
        this.unmatchedCallbacks = Counter.builder("gatehouse.sso.callbacks.unmatched").description("Answers to"
                + " /.gatehouse/callback that match no sign-in begun in that browser (refused; no sso_events row).")
                .register(registry);
        this.throttled = Counter.builder("gatehouse.sso.throttled").description("Sign-in page requests refused with 429"
                + " (too many from one client address).").register(registry);
    }

    /** Reads the keys; stored keys this gateway cannot open fail the start (one line), leaving nothing running. */
    public SingleSignOn start() {
        if (settings.keyEncryption() == null) {
            log.warn("SSO keys are stored unencrypted in sso_keys: set {} (or {}) to a 256-bit key, the same on every"
                    + " replica (openssl rand -base64 32), and they are encrypted at the next start",
                    SsoSettings.KEY_ENCRYPTION_KEY_FILE, ConfigLoader.SSO_KEY_ENCRYPTION_KEY_ENV);
        } else {
            log.info("SSO keys are stored encrypted in sso_keys, with {}", settings.keyEncryption());
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

    /**
     * The session the request's cookie holds, if it holds for {@code org} now — as on a route: not revoked or signed
     * out, its provider unchanged, its account still a member, not idle too long — else null. For the operator console,
     * which signs nobody in itself (and does not renew the session: only the gateway's routes do).
     */
    public Sessions.Valid session(HttpRequest head, PolicySnapshot.Org org, Instant now) {
        return sessions.check(sessions.open(SignInCookies.read(head, SignInCookies.SESSION), now), org, now);
    }

    /** Where a member of {@code org} signs in (on the public base URL); null when sign-in is not configured. */
    public String signInUrl(String org) {
        return baseHost.isEmpty() ? null : settings.publicBaseUrl() + GatehousePages.LOGIN + "?org=" + GatehousePages.enc(org);
    }

    /** True the first time a sign-in's state is answered here; false for a replay. */
    boolean firstAnswer(String state, Instant expiresAt, Instant now) {
        consumed.values().removeIf(until -> until.isBefore(now));
        return consumed.putIfAbsent(state, expiresAt) == null;
    }

    /** Logs, once per route and break-glass, that a route requiring sign-in is served without it. */
    void warnBreakGlass(String route, PolicySnapshot.Org org) {
        if (breakGlassWarned.add(route + " " + org.ssoBreakGlassAt())) {
            log.warn("Route {} requires sign-in (sso = required), but organisation {} is in break-glass since {}"
                    + " (gatehouse-admin disable-org-sso): served with the network policy only, no identity",
                    route, org.name(), org.ssoBreakGlassAt());
        }
    }

    @Override
    public void close() {
        threads.close();
        keys.close();
        assertionKeys.close();
    }
}
