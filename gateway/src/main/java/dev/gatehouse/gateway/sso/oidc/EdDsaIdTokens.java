package dev.gatehouse.gateway.sso.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.validators.IDTokenClaimsVerifier;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.List;

/**
 * ID tokens signed with EdDSA (Ed25519), which Nimbus verifies only through Google Tink — a library the gateway does
 * not ship — and its ID token validator offers no other way in. The JDK verifies Ed25519 itself (since 15): the key is
 * the provider's OKP key its JWKS names by {@code kid}; the claims are checked by Nimbus's own
 * {@link IDTokenClaimsVerifier} (iss, aud/azp, exp/iat within the clock skew, nonce), as for every other algorithm.
 */
final class EdDsaIdTokens {
    /** The DER prefix of an Ed25519 SubjectPublicKeyInfo: the 32 key bytes follow it (RFC 8410). */
    private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

    private EdDsaIdTokens() {
    }

    static boolean handles(SignedJWT jwt) {
        return JWSAlgorithm.EdDSA.equals(jwt.getHeader().getAlgorithm());
    }

    static IDTokenClaimsSet validate(SignedJWT jwt, JWKSource<SecurityContext> keys, String issuer, String clientId,
                                     Nonce nonce, int maxClockSkewSeconds) throws BadJOSEException, JOSEException {
        String kid = jwt.getHeader().getKeyID();
        List<JWK> found = keys.get(new JWKSelector(new JWKMatcher.Builder().keyType(KeyType.OKP)
                .keyID(kid).curve(Curve.Ed25519).build()), null);
        if (found.isEmpty()) {
            throw new BadJOSEException("no Ed25519 key " + kid + " in the provider's JWKS");
        }
        OctetKeyPair okp = (OctetKeyPair) found.get(0);
        try {
            byte[] x = okp.getX().decode();
            byte[] der = new byte[X509_PREFIX.length + x.length];
            System.arraycopy(X509_PREFIX, 0, der, 0, X509_PREFIX.length);
            System.arraycopy(x, 0, der, X509_PREFIX.length, x.length);
            PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(jwt.getSigningInput());
            if (!verifier.verify(jwt.getSignature().decode())) {
                throw new BadJOSEException("the ID token's Ed25519 signature does not verify");
            }
        } catch (GeneralSecurityException e) {
            throw new BadJOSEException("the ID token's Ed25519 signature does not verify: " + e.getMessage(), e);
        }
        try {
            IDTokenClaimsVerifier claims = new IDTokenClaimsVerifier(new com.nimbusds.oauth2.sdk.id.Issuer(issuer),
                    new ClientID(clientId), nonce, maxClockSkewSeconds);
            claims.verify(jwt.getJWTClaimsSet(), null);
            return new IDTokenClaimsSet(jwt.getJWTClaimsSet());
        } catch (ParseException | com.nimbusds.oauth2.sdk.ParseException e) {
            throw new BadJOSEException("the ID token's claims do not parse: " + e.getMessage(), e);
        }
    }
}
