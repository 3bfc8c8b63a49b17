package dev.gatehouse.gateway.sso.session;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * A sign-in in progress, sealed into the public base URL's sign-in cookie between the login and the provider's answer:
 * the organisation and provider it is for, the {@code state}, {@code nonce} and PKCE verifier the answer must match,
 * where to return, and — for a sign-in begun on an app's own host — that host and the hash of its binding.
 *
 * @param returnTo    a same-origin path
 * @param handOverHost the app's host to hand the session to, or null (the session stays on this host)
 * @param bindingHash  base64url SHA-256 of the app host's binding cookie, or null
 */
public record SignInState(UUID orgId, UUID providerId, String state, String nonce, String verifier, String returnTo,
                          String handOverHost, String bindingHash, Instant expiresAt) {

    JWTClaimsSet claims() {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().claim("org", orgId.toString()).claim("prv", providerId.toString())
                .claim("st", state).claim("nce", nonce).claim("pkv", verifier).claim("rd", returnTo)
                .expirationTime(Date.from(expiresAt));
        if (handOverHost != null) {
            b.claim("hoh", handOverHost).claim("hob", bindingHash);
        }
        return b.build();
    }

    static SignInState from(JWTClaimsSet c) {
        try {
            return new SignInState(UUID.fromString((String) c.getClaim("org")), UUID.fromString((String) c.getClaim("prv")),
                    req(c, "st"), req(c, "nce"), req(c, "pkv"), req(c, "rd"), (String) c.getClaim("hoh"),
                    (String) c.getClaim("hob"), c.getExpirationTime().toInstant());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String req(JWTClaimsSet c, String name) {
        Object v = c.getClaim(name);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("no " + name);
        }
        return s;
    }
}
