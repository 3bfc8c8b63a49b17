package dev.gatehouse.gateway.sso.session;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The identity assertion an upstream receives with a signed-in request ({@code X-Gatehouse-Assertion}): a short-lived
 * JWT (ES256) for one audience (the route's app or organisation) naming the organisation, the account, the email and
 * the client IP, so a backend can verify who called
 * instead of trusting a header. The public keys are at {@code /.gatehouse/jwks.json}; the key pairs are shared by every
 * replica ({@link SharedKeys}, purpose {@code assertion}).
 *
 * <p>An ES256 signature costs ~360 µs of CPU on JDK 17 (measured: docs/BENCHMARKS.md) — ten times a whole proxied
 * request. So an assertion is made once per account, client IP and key, and reused while it has more than half its
 * lifetime left; it therefore does not name the request (its id is in {@code X-Request-Id}, which the gateway sets) —
 * unless {@code sso.assertion-per-request}, which signs one per request, naming it ({@code request_id}).
 */
public final class Assertions {
    /** An assertion is good for this long: enough for a backend to check it, too short to replay it later. */
    public static final Duration LIFETIME = Duration.ofSeconds(60);

    /** Assertions kept for reuse at most (beyond it, the expired are dropped, then all if need be). */
    static final int CACHED = 100_000;

    private record Made(String jwt, Instant reuseUntil) {
    }

    private record Whom(String kid, String accountId, String clientIp, String email, String audience) {
    }

    private final ConcurrentHashMap<Whom, Made> made = new ConcurrentHashMap<>();
    private final SharedKeys<ECKey> keys;
    private final String issuer;
    private volatile Cached jwks = new Cached(List.of(), "{\"keys\":[]}");

    private record Cached(List<SharedKeys.Key<ECKey>> of, String json) {
    }

    private final boolean perRequest;

    public Assertions(SharedKeys<ECKey> keys, String issuer, boolean perRequest) {
        this.keys = keys;
        this.issuer = issuer;
        this.perRequest = perRequest;
    }

    /** A new P-256 key pair, as a private JWK: an assertion key's material. */
    public static String generate() {
        try {
            return new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256).generate()
                    .toJSONString();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot make a P-256 key: " + e.getMessage(), e);
        }
    }

    public static ECKey parse(String material) {
        try {
            return ECKey.parse(material);
        } catch (ParseException e) {
            throw new IllegalStateException("an assertion key does not parse: " + e.getMessage(), e);
        }
    }

    /**
     * The signed assertion (made now, or reused); null when no key is known yet.
     *
     * @param audience its {@code aud}: the route's app ({@code Org/App}) or organisation, or the route's own setting —
     *                 a backend accepts only its own, so one upstream cannot replay an assertion to another app
     */
    public String assertion(String org, String accountId, String account, String email, String clientIp, String requestId,
                            String audience) {
        SharedKeys.Key<ECKey> key = keys.current();
        if (key == null) {
            return null;
        }
        Instant now = Instant.now();
        if (perRequest) {
            return sign(key, org, accountId, account, email, clientIp, requestId, audience, now);
        }
        Whom whom = new Whom(key.kid(), accountId, clientIp, email, audience);
        Made m = made.get(whom);
        if (m != null && m.reuseUntil().isAfter(now)) {
            return m.jwt();
        }
        if (made.size() >= CACHED) {
            made.values().removeIf(old -> !old.reuseUntil().isAfter(now));
            if (made.size() >= CACHED) {
                made.clear();
            }
        }
        String jwt = sign(key, org, accountId, account, email, clientIp, null, audience, now);
        made.put(whom, new Made(jwt, now.plus(LIFETIME.dividedBy(2))));
        return jwt;
    }

    private String sign(SharedKeys.Key<ECKey> key, String org, String accountId, String account, String email,
                        String clientIp, String requestId, String audience, Instant now) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().issuer(issuer).audience(audience).subject(accountId).claim("org", org)
                .claim("account", account).claim("email", email).claim("client_ip", clientIp)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(LIFETIME)));
        JWTClaimsSet claims = (requestId == null ? b : b.claim("request_id", requestId)).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.kid())
                .type(JOSEObjectType.JWT).build(), claims);
        try {
            jwt.sign(new ECDSASigner(key.value()));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign an assertion: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    /** The public keys, as a JWK set document (cached until the keys change). */
    public String jwks() {
        List<SharedKeys.Key<ECKey>> now = keys.all();
        Cached c = jwks;
        if (c.of() != now) {
            c = new Cached(now, new JWKSet(now.stream().map(k -> (JWK) new ECKey.Builder(k.value()
                    .toPublicJWK()).keyID(k.kid()).build()).toList()).toString(true));
            jwks = c;
        }
        return c.json();
    }
}
