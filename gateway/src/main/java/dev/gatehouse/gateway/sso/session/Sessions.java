package dev.gatehouse.gateway.sso.session;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.gatehouse.core.policy.AccountKind;
import dev.gatehouse.core.policy.PolicySnapshot;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKey;

/**
 * Sessions and the other sealed cookies of a sign-in: sealed and opened with the shared session keys, and checked
 * against the policy snapshot on every request — the account still a member, the provider still enabled and pointing
 * where it did, the session not revoked (not on the organisation's deny list, and begun after the organisation's and
 * the account's not-before instants) and not idle too long. All in memory: no database call per request.
 */
public final class Sessions {
    /** Sessions kept opened at most (beyond it, all are dropped and open again on their next request). */
    static final int OPENED = 100_000;

    /**
     * A session that holds.
     *
     * @param renewal the session's cookie value sealed anew (its idle time restarted), or null when not due
     */
    public record Valid(Session session, PolicySnapshot.Account account, String renewal) {
    }

    private final SharedKeys<SecretKey> keys;
    private final Duration idleTimeout;
    /** Sessions opened recently, by cookie: opening one (JWE parse and AES-GCM) is the signed-in request's main cost. */
    private final ConcurrentHashMap<String, Session> opened = new ConcurrentHashMap<>();

    public Sessions(SharedKeys<SecretKey> keys, Duration idleTimeout) {
        this.keys = keys;
        this.idleTimeout = idleTimeout;
    }

    public SharedKeys<SecretKey> keys() {
        return keys;
    }

    /** The cookie value of a session; null when no key is known yet. */
    public String seal(Session s) {
        return Sealed.seal(keys, Sealed.SESSION, s.claims());
    }

    /**
     * The session a cookie holds, if it opens and has not expired. A cookie that opened once is not opened again
     * while it is valid (its key outlives it: a key opens for a whole session lifetime after its last use).
     */
    public Session open(String cookie, Instant now) {
        if (cookie == null) {
            return null;
        }
        Session s = opened.get(cookie);
        if (s == null) {
            JWTClaimsSet c = Sealed.open(keys, Sealed.SESSION, cookie, now);
            s = c == null ? null : Session.from(c);
            if (s == null) {
                return null;
            }
            if (opened.size() >= OPENED) {
                opened.clear();
            }
            opened.put(cookie, s);
        } else if (!s.expiresAt().isAfter(now)) {
            opened.remove(cookie);
            return null;
        }
        return s;
    }

    /** Whether the session still holds for {@code org} at {@code now}; its account and a renewal when it does. */
    public Valid check(Session s, PolicySnapshot.Org org, Instant now) {
        if (s == null || !org.id().equals(s.orgId())) {
            return null;
        }
        PolicySnapshot.SsoProvider p = org.provider(s.providerId());
        PolicySnapshot.Account a = org.accounts().get(s.accountId());
        if (p == null || !p.enabled() || !fingerprint(p).equals(s.providerFingerprint()) || a == null
                || a.kind() != AccountKind.MEMBER) {
            return null; // the provider was disabled or changed, or the account removed: the session is over
        }
        if (org.sessionRevoked(s.id(), s.accountId(), s.issuedAt()) || p.endedSession(s.issuedAt())) {
            return null; // signed out, or revoked (gatehouse-admin sso revoke)
        }
        long idle = now.getEpochSecond() - s.lastSeen().getEpochSecond();
        if (idle > idleTimeout.toSeconds()) {
            return null;
        }
        String renewal = idle >= Math.max(1, idleTimeout.toSeconds() / 4) ? seal(s.usedAt(now)) : null;
        return new Valid(s, a, renewal);
    }

    /** What a session must still match: a provider re-pointed at another issuer or client ends its sessions. */
    public static String fingerprint(PolicySnapshot.SsoProvider p) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((p.issuer() + "\n" + p.clientId())
                    .getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(h, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String sealSignIn(SignInState s) {
        return Sealed.seal(keys, Sealed.SIGN_IN, s.claims());
    }

    public SignInState openSignIn(String cookie, Instant now) {
        JWTClaimsSet c = Sealed.open(keys, Sealed.SIGN_IN, cookie, now);
        return c == null ? null : SignInState.from(c);
    }

    /** @param kind {@link Sealed#HAND_OVER} (the app host's cookie) or {@link Sealed#HAND_OVER_REQUEST} */
    public String sealHandOver(HandOver h, String kind) {
        return Sealed.seal(keys, kind, h.claims());
    }

    public HandOver openHandOver(String value, String kind, Instant now) {
        JWTClaimsSet c = Sealed.open(keys, kind, value, now);
        return c == null ? null : HandOver.from(c);
    }
}
