package dev.gatehouse.gateway.sso.session;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.crypto.DirectDecrypter;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import javax.crypto.SecretKey;

/**
 * Claims sealed into a cookie: encrypted and authenticated (JWE, direct key, A256GCM) with a session key ({@link SharedKeys}),
 * so a browser can neither read nor alter them, and any replica opens them. A cookie that does not open, names an
 * unknown key, is of another kind or has expired is simply not a session.
 */
public final class Sealed {
    /** What a cookie holds: a session, or a sign-in in progress. */
    public static final String SESSION = "session";
    public static final String SIGN_IN = "sign-in";
    /** A sign-in begun on an app's host: the browser's half of the hand-over binding (a cookie of that host). */
    public static final String HAND_OVER = "hand-over";
    /** The same sign-in as the public base URL's host learns of it (a query parameter: the binding's hash only). */
    public static final String HAND_OVER_REQUEST = "hand-over-request";

    private Sealed() {
    }

    /** The claims sealed with the current key; null when no key is known yet. */
    public static String seal(SharedKeys<SecretKey> keys, String kind, JWTClaimsSet claims) {
        SharedKeys.Key<SecretKey> key = keys.current();
        if (key == null) {
            return null;
        }
        JWTClaimsSet withKind = new JWTClaimsSet.Builder(claims).claim("knd", kind).build();
        EncryptedJWT jwt = new EncryptedJWT(new JWEHeader.Builder(JWEAlgorithm.DIR, EncryptionMethod.A256GCM)
                .keyID(key.kid()).build(), withKind);
        try {
            jwt.encrypt(new DirectEncrypter(key.value()));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot seal: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    /** The claims of a cookie of {@code kind} that opens and has not expired at {@code now}; null otherwise. */
    public static JWTClaimsSet open(SharedKeys<SecretKey> keys, String kind, String cookie, Instant now) {
        if (cookie == null || cookie.length() > 4096) {
            return null;
        }
        try {
            EncryptedJWT jwt = EncryptedJWT.parse(cookie);
            if (!JWEAlgorithm.DIR.equals(jwt.getHeader().getAlgorithm())
                    || !EncryptionMethod.A256GCM.equals(jwt.getHeader().getEncryptionMethod())) {
                return null;
            }
            SharedKeys.Key<SecretKey> key = jwt.getHeader().getKeyID() == null ? null
                    : keys.find(jwt.getHeader().getKeyID());
            if (key == null) {
                return null;
            }
            jwt.decrypt(new DirectDecrypter(key.value()));
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date exp = claims.getExpirationTime();
            if (!kind.equals(claims.getClaim("knd")) || exp == null || !exp.toInstant().isAfter(now)) {
                return null;
            }
            return claims;
        } catch (ParseException | JOSEException | RuntimeException e) {
            return null; // tampered, truncated, or not ours: not a session
        }
    }
}
