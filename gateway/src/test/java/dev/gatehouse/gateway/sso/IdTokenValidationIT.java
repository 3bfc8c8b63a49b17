package dev.gatehouse.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.gatehouse.core.policy.PolicySnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ID token checks the gateway relies on, with tokens signed by a real provider's keys (mock-oauth2-server): the
 * signature over the provider's published keys, iss, aud, exp within the clock skew, and the nonce of this sign-in.
 */
class IdTokenValidationIT {
    static MockOAuth2Server idp;
    static IDTokenValidator validator;

    @BeforeAll
    static void start() throws Exception {
        idp = new MockOAuth2Server();
        idp.start();
        PolicySnapshot.SsoProvider p = new PolicySnapshot.SsoProvider(UUID.randomUUID(), "okta",
                idp.issuerUrl("acme").toString(), "gatehouse", "env:UNUSED", List.of(), null, false, true);
        validator = new OidcClients(Duration.ofSeconds(5), Duration.ofSeconds(60)).client(p).validator();
    }

    @AfterAll
    static void stop() {
        idp.shutdown();
    }

    static SignedJWT token(String issuerId, Map<String, Object> overrides, Duration expiry) {
        Map<String, Object> claims = new HashMap<>();
        claims.put("iss", idp.issuerUrl("acme").toString());
        claims.put("aud", "gatehouse");
        claims.put("sub", "user-1");
        claims.put("nonce", "n-1");
        claims.put("email", "alice@acme.test");
        claims.putAll(overrides);
        return idp.anyToken(idp.issuerUrl(issuerId), claims, expiry);
    }

    @Test
    void theProvidersOwnTokenForThisClientAndNoncePasses() throws Exception {
        assertThat(validator.validate(token("acme", Map.of(), Duration.ofHours(1)), new Nonce("n-1")).getSubject().getValue())
                .isEqualTo("user-1");
    }

    @Test
    void anotherAudienceAnotherNonceOrAnotherIssuerIsRefused() {
        assertThatThrownBy(() -> validator.validate(token("acme", Map.of("aud", "another-client"), Duration.ofHours(1)),
                new Nonce("n-1"))).isInstanceOf(BadJOSEException.class).hasMessageContaining("audience");
        assertThatThrownBy(() -> validator.validate(token("acme", Map.of(), Duration.ofHours(1)), new Nonce("n-2")))
                .isInstanceOf(BadJOSEException.class).hasMessageContaining("nonce");
        // the provider's other issuer (the mock sets iss from the issuer that signs): not this provider's tokens
        assertThatThrownBy(() -> validator.validate(token("other", Map.of(), Duration.ofHours(1)), new Nonce("n-1")))
                .isInstanceOf(BadJOSEException.class);
    }

    @Test
    void anExpiredTokenIsRefusedBeyondTheClockSkew() throws Exception {
        SignedJWT expired = token("acme", Map.of(), Duration.ofMinutes(-10));
        assertThat(expired.getJWTClaimsSet().getExpirationTime()).isBefore(Date.from(Instant.now().minus(Duration.ofMinutes(9))));
        assertThatThrownBy(() -> validator.validate(expired, new Nonce("n-1"))).isInstanceOf(BadJOSEException.class)
                .hasMessageContaining("xpired");
    }

    @Test
    void aTamperedTokenIsRefused() throws Exception {
        SignedJWT good = token("acme", Map.of(), Duration.ofHours(1));
        String[] parts = good.serialize().split("\\.");
        String tamperedPayload = com.nimbusds.jose.util.Base64URL.encode(
                good.getJWTClaimsSet().toString().replace("alice@acme.test", "admin@acme.test")).toString();
        SignedJWT tampered = SignedJWT.parse(parts[0] + "." + tamperedPayload + "." + parts[2]);
        assertThatThrownBy(() -> validator.validate(tampered, new Nonce("n-1"))).isInstanceOf(BadJOSEException.class);
    }
}
