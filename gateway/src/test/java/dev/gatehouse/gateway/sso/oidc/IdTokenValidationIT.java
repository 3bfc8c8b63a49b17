package dev.gatehouse.gateway.sso.oidc;

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
                idp.issuerUrl("acme").toString(), "gatehouse", "env:UNUSED", List.of(), null, false, true, null);
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

    /**
     * The provider rotates its keys: a token signed with a key the cached JWKS does not hold makes the validator fetch
     * the JWKS again, and the token then checks out. mock-oauth2-server cannot rotate an issuer's key, so the provider
     * here is a minimal one of the test's own: a discovery document and a JWKS the test swaps, over real HTTP.
     */
    @Test
    void anUnknownKeyFetchesTheJwksAgainAfterTheProviderRotatesIt() throws Exception {
        com.nimbusds.jose.jwk.RSAKey first = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).keyID("k1").generate();
        com.nimbusds.jose.jwk.RSAKey second = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).keyID("k2").generate();
        java.util.concurrent.atomic.AtomicReference<String> jwks = new java.util.concurrent.atomic.AtomicReference<>(
                new com.nimbusds.jose.jwk.JWKSet(first.toPublicJWK()).toString());
        com.sun.net.httpserver.HttpServer provider = provider("rotating", jwks::get, "RS256");
        String issuer = "http://127.0.0.1:" + provider.getAddress().getPort() + "/rotating";
        try {
            PolicySnapshot.SsoProvider p = new PolicySnapshot.SsoProvider(UUID.randomUUID(), "rotating", issuer,
                    "gatehouse", "env:UNUSED", List.of(), null, false, true, null);
            IDTokenValidator rotating = new OidcClients(Duration.ofSeconds(5), Duration.ofSeconds(60)).client(p).validator();
            assertThat(rotating.validate(signed(first, issuer), new Nonce("n-1"))).isNotNull(); // k1, fetched and cached
            jwks.set(new com.nimbusds.jose.jwk.JWKSet(List.of(first.toPublicJWK(), second.toPublicJWK())).toString());
            assertThat(rotating.validate(signed(second, issuer), new Nonce("n-1")).getSubject().getValue())
                    .as("k2, unknown to the cache: the JWKS is fetched again").isEqualTo("user-1");
        } finally {
            provider.stop(0);
        }
    }

    /**
     * A provider that lists RS256 first but signs with ES256 (its JWKS holds an EC key): the token's own header and the
     * key its JWKS names decide, so the token checks out — before, RS256 was required whenever listed.
     */
    @Test
    void aProviderListingRs256ButSigningWithEs256IsFollowed() throws Exception {
        com.nimbusds.jose.jwk.ECKey ec = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256)
                .keyID("ec1").generate();
        com.sun.net.httpserver.HttpServer provider = provider("ec",
                () -> new com.nimbusds.jose.jwk.JWKSet(ec.toPublicJWK()).toString(), "RS256\",\"ES256");
        String issuer = "http://127.0.0.1:" + provider.getAddress().getPort() + "/ec";
        try {
            PolicySnapshot.SsoProvider p = new PolicySnapshot.SsoProvider(UUID.randomUUID(), "ec", issuer,
                    "gatehouse", "env:UNUSED", List.of(), null, false, true, null);
            IDTokenValidator v = new OidcClients(Duration.ofSeconds(5), Duration.ofSeconds(60)).client(p).validator();
            SignedJWT jwt = new SignedJWT(new com.nimbusds.jose.JWSHeader.Builder(com.nimbusds.jose.JWSAlgorithm.ES256)
                    .keyID("ec1").build(), new com.nimbusds.jwt.JWTClaimsSet.Builder().issuer(issuer).audience("gatehouse")
                    .subject("user-1").claim("nonce", "n-1").issueTime(new Date())
                    .expirationTime(Date.from(Instant.now().plusSeconds(600))).build());
            jwt.sign(new com.nimbusds.jose.crypto.ECDSASigner(ec));
            assertThat(v.validate(jwt, new Nonce("n-1")).getSubject().getValue()).isEqualTo("user-1");
        } finally {
            provider.stop(0);
        }
    }

    /** A provider signing with EdDSA (Ed25519): verified with the JDK's Ed25519, the claims as for any other. */
    @Test
    void anEd25519SignedTokenChecksOutAndATamperedOneDoesNot() throws Exception {
        java.security.KeyPair pair = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] spki = pair.getPublic().getEncoded();
        com.nimbusds.jose.jwk.OctetKeyPair okp = new com.nimbusds.jose.jwk.OctetKeyPair.Builder(
                com.nimbusds.jose.jwk.Curve.Ed25519, com.nimbusds.jose.util.Base64URL.encode(
                java.util.Arrays.copyOfRange(spki, spki.length - 32, spki.length))).keyID("ed1").build();
        com.sun.net.httpserver.HttpServer provider = provider("ed",
                () -> new com.nimbusds.jose.jwk.JWKSet(okp).toString(), "EdDSA");
        String issuer = "http://127.0.0.1:" + provider.getAddress().getPort() + "/ed";
        try {
            PolicySnapshot.SsoProvider p = new PolicySnapshot.SsoProvider(UUID.randomUUID(), "ed", issuer,
                    "gatehouse", "env:UNUSED", List.of(), null, false, true, null);
            OidcClients.Client client = new OidcClients(Duration.ofSeconds(5), Duration.ofSeconds(60)).client(p);
            com.nimbusds.jose.util.Base64URL header = com.nimbusds.jose.util.Base64URL.encode(
                    "{\"alg\":\"EdDSA\",\"kid\":\"ed1\"}");
            com.nimbusds.jwt.JWTClaimsSet claims = new com.nimbusds.jwt.JWTClaimsSet.Builder().issuer(issuer)
                    .audience("gatehouse").subject("user-1").claim("nonce", "n-1").issueTime(new Date())
                    .expirationTime(Date.from(Instant.now().plusSeconds(600))).build();
            com.nimbusds.jose.util.Base64URL payload = com.nimbusds.jose.util.Base64URL.encode(claims.toString());
            java.security.Signature signer = java.security.Signature.getInstance("Ed25519");
            signer.initSign(pair.getPrivate());
            signer.update((header + "." + payload).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            SignedJWT jwt = new SignedJWT(header, payload, com.nimbusds.jose.util.Base64URL.encode(signer.sign()));
            assertThat(client.validate(jwt, new Nonce("n-1")).getSubject().getValue()).isEqualTo("user-1");
            assertThatThrownBy(() -> client.validate(jwt, new Nonce("n-2"))).as("another sign-in's nonce")
                    .isInstanceOf(BadJOSEException.class);
            SignedJWT tampered = new SignedJWT(header, com.nimbusds.jose.util.Base64URL.encode(claims.toString()
                    .replace("user-1", "admin")), jwt.getSignature());
            assertThatThrownBy(() -> client.validate(tampered, new Nonce("n-1"))).isInstanceOf(BadJOSEException.class);
        } finally {
            provider.stop(0);
        }
    }

    /**
     * A minimal provider of the test's own, over real HTTP at /{@code name}/: a discovery document advertising
     * {@code algs} (written into a JSON array as they are) and the JWKS {@code jwks} gives. Started.
     */
    static com.sun.net.httpserver.HttpServer provider(String name, java.util.function.Supplier<String> jwks, String algs)
            throws java.io.IOException {
        com.sun.net.httpserver.HttpServer provider = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 8);
        String issuer = "http://127.0.0.1:" + provider.getAddress().getPort() + "/" + name;
        provider.createContext("/" + name + "/", ex -> {
            String body = ex.getRequestURI().getPath().endsWith("/jwks") ? jwks.get()
                    : "{\"issuer\":\"" + issuer + "\",\"authorization_endpoint\":\"" + issuer + "/authorize\","
                    + "\"token_endpoint\":\"" + issuer + "/token\",\"jwks_uri\":\"" + issuer + "/jwks\","
                    + "\"response_types_supported\":[\"code\"],\"subject_types_supported\":[\"public\"],"
                    + "\"id_token_signing_alg_values_supported\":[\"" + algs + "\"]}";
            byte[] b = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        provider.start();
        return provider;
    }

    static SignedJWT signed(com.nimbusds.jose.jwk.RSAKey key, String issuer) throws Exception {
        SignedJWT jwt = new SignedJWT(new com.nimbusds.jose.JWSHeader.Builder(com.nimbusds.jose.JWSAlgorithm.RS256)
                .keyID(key.getKeyID()).build(), new com.nimbusds.jwt.JWTClaimsSet.Builder().issuer(issuer).audience("gatehouse")
                .subject("user-1").claim("nonce", "n-1").issueTime(new Date())
                .expirationTime(Date.from(Instant.now().plusSeconds(600))).build());
        jwt.sign(new com.nimbusds.jose.crypto.RSASSASigner(key));
        return jwt;
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
