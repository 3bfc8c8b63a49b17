package dev.gatehouse.gateway.sso.session;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * A sign-in begun on an app's own host, which the provider cannot send back to (only the public base URL is
 * registered with it). Two sealed halves:
 * <ul>
 *   <li>the app host's cookie ({@link Sealed#HAND_OVER}) holds a random {@code binding} — it never leaves that host;</li>
 *   <li>the request to the public base URL's login ({@link Sealed#HAND_OVER_REQUEST}, a query parameter) holds the
 *       binding's hash, the host and where to return.</li>
 * </ul>
 * After the provider's answer, the base URL's host hands a one-time code to the app host, which redeems it only with
 * the cookie whose binding hashes to what the code was issued for: an attacker's code planted in a victim's browser
 * finds no matching cookie there.
 *
 * @param binding     the secret (cookie half) or its base64url SHA-256 (request half)
 * @param host        the app's host (as routes compare hosts)
 * @param returnTo    a same-origin path on that host
 */
public record HandOver(UUID orgId, String binding, String host, String returnTo, Instant expiresAt) {

    JWTClaimsSet claims() {
        return new JWTClaimsSet.Builder().claim("org", orgId.toString()).claim("bnd", binding).claim("hst", host)
                .claim("rd", returnTo).expirationTime(Date.from(expiresAt)).build();
    }

    static HandOver from(JWTClaimsSet c) {
        try {
            Object b = c.getClaim("bnd");
            Object h = c.getClaim("hst");
            Object r = c.getClaim("rd");
            if (!(b instanceof String binding) || !(h instanceof String host) || !(r instanceof String rd)) {
                return null;
            }
            return new HandOver(UUID.fromString((String) c.getClaim("org")), binding, host, rd,
                    c.getExpirationTime().toInstant());
        } catch (RuntimeException e) {
            return null;
        }
    }
}
