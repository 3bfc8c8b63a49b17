package dev.gatehouse.gateway.sso.session;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * A signed-in browser's session, as sealed into its cookie: who (account, organisation), through which provider (and
 * that provider's fingerprint, so a re-pointed provider ends its sessions), when it began, when it was last used
 * (the idle timeout) and when it ends. Its id is what sign-out puts on the shared deny list.
 *
 * @param issuedAt when the sign-in happened (to the millisecond: revocation compares it with a not-before instant)
 */
public record Session(String id, UUID orgId, UUID accountId, UUID providerId, String providerFingerprint, String email,
                      Instant issuedAt, Instant lastSeen, Instant expiresAt) {

    JWTClaimsSet claims() {
        return new JWTClaimsSet.Builder().jwtID(id).subject(accountId.toString()).claim("org", orgId.toString())
                .claim("prv", providerId.toString()).claim("pcf", providerFingerprint).claim("eml", email)
                .claim("iam", issuedAt.toEpochMilli()).claim("lst", lastSeen.getEpochSecond())
                .issueTime(Date.from(issuedAt)).expirationTime(Date.from(expiresAt)).build();
    }

    /** The session in {@code c}, or null when a claim is missing or malformed (not a session of this version). */
    static Session from(JWTClaimsSet c) {
        try {
            Object issued = c.getClaim("iam");
            Object last = c.getClaim("lst");
            if (c.getJWTID() == null || !(issued instanceof Number i) || !(last instanceof Number l)
                    || c.getExpirationTime() == null) {
                return null;
            }
            return new Session(c.getJWTID(), UUID.fromString((String) c.getClaim("org")), UUID.fromString(c.getSubject()),
                    UUID.fromString((String) c.getClaim("prv")), (String) c.getClaim("pcf"), (String) c.getClaim("eml"),
                    Instant.ofEpochMilli(i.longValue()), Instant.ofEpochSecond(l.longValue()),
                    c.getExpirationTime().toInstant());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The same session, used now. */
    Session usedAt(Instant now) {
        return new Session(id, orgId, accountId, providerId, providerFingerprint, email, issuedAt, now, expiresAt);
    }
}
