package dev.gatehouse.gateway.sso.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.gatehouse.core.policy.PolicySnapshot;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the gateway knows of each provider: its discovery document and an ID token validator over its keys (Nimbus
 * caches the JWKS and fetches it again when a token names a key it does not hold — a provider's key rotation). The
 * protocol only: no page, no SQL. Used on the sign-in threads: fetching blocks.
 *
 * <p>A provider that did not answer is not asked again for {@link #FAILURE_TTL}: a dead issuer costs one timeout
 * per half minute, not one per login.
 */
public final class OidcClients {
    /** A provider's discovery document is read again after this long. */
    static final Duration METADATA_TTL = Duration.ofHours(1);
    /** A failed discovery is remembered (and answered at once) for this long. */
    public static final Duration FAILURE_TTL = Duration.ofSeconds(30);
    /**
     * The ID token signature algorithms Nimbus's validator verifies; the token's header names one, and the key the
     * provider's JWKS holds under its kid must be of that algorithm's type (RS*, PS*: RSA; ES*: EC). EdDSA (Ed25519)
     * is verified beside it ({@link EdDsaIdTokens}).
     */
    static final Set<JWSAlgorithm> VERIFIABLE = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384,
            JWSAlgorithm.ES512);

    /**
     * A provider as discovered.
     *
     * @param issuerResponseParameter the provider sends RFC 9207's {@code iss} with its answer (and it must match)
     */
    public record Client(OIDCProviderMetadata metadata, IDTokenValidator validator, long loadedNanos, String issuer,
                         String clientId, boolean issuerResponseParameter, JWKSource<SecurityContext> keys,
                         int maxClockSkewSeconds) {
        /** The ID token, validated: its signature over the provider's keys (EdDSA too), and its claims. */
        public IDTokenClaimsSet validate(JWT idToken, Nonce nonce) throws BadJOSEException, JOSEException {
            if (idToken instanceof SignedJWT signed && EdDsaIdTokens.handles(signed)) {
                return EdDsaIdTokens.validate(signed, keys, metadata.getIssuer().getValue(), clientId, nonce,
                        maxClockSkewSeconds);
            }
            return validator.validate(idToken, nonce);
        }

        /** RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0), when the provider advertises it. */
        public URI endSessionEndpoint() {
            return metadata.getEndSessionEndpointURI();
        }
    }

    private record Failure(String issuer, String clientId, long atNanos, String message) {
    }

    private final Map<UUID, Client> clients = new ConcurrentHashMap<>();
    private final Map<UUID, Failure> failures = new ConcurrentHashMap<>();
    private final Duration timeout;
    private final Duration clockSkew;

    public OidcClients(Duration timeout, Duration clockSkew) {
        this.timeout = timeout;
        this.clockSkew = clockSkew;
    }

    /** The provider's client when it is known and fresh (no fetch: for the event loop); null otherwise. */
    public Client cached(PolicySnapshot.SsoProvider p) {
        Client c = clients.get(p.id());
        return c != null && c.issuer().equals(p.issuer()) && c.clientId().equals(p.clientId())
                && System.nanoTime() - c.loadedNanos() < METADATA_TTL.toNanos() ? c : null;
    }

    /** The provider's client, fetching its discovery document when not known, stale, or the provider changed. */
    public Client client(PolicySnapshot.SsoProvider p) throws IOException, GeneralException {
        Client c = cached(p);
        if (c != null) {
            return c;
        }
        Failure f = failures.get(p.id());
        if (f != null && f.issuer().equals(p.issuer()) && f.clientId().equals(p.clientId())
                && System.nanoTime() - f.atNanos() < FAILURE_TTL.toNanos()) {
            throw new IOException(f.message() + " (remembered for " + FAILURE_TTL.toSeconds() + " s)");
        }
        try {
            c = discover(p);
        } catch (IOException | GeneralException | RuntimeException e) {
            failures.put(p.id(), new Failure(p.issuer(), p.clientId(), System.nanoTime(), e.toString()));
            throw e;
        }
        failures.remove(p.id());
        clients.put(p.id(), c);
        return c;
    }

    private Client discover(PolicySnapshot.SsoProvider p) throws IOException, GeneralException {
        int millis = (int) timeout.toMillis();
        OIDCProviderMetadata meta = OIDCProviderMetadata.resolve(new Issuer(p.issuer()), millis, millis);
        if (meta.getAuthorizationEndpointURI() == null || meta.getTokenEndpointURI() == null || meta.getJWKSetURI() == null) {
            throw new GeneralException("the discovery document of " + p.issuer() + " lacks an endpoint or jwks_uri");
        }
        JWKSource<SecurityContext> keys;
        try {
            keys = JWKSourceBuilder.create(meta.getJWKSetURI().toURL(), new DefaultResourceRetriever(millis, millis, 512 * 1024))
                    .build();
        } catch (MalformedURLException e) {
            throw new GeneralException("jwks_uri is not a URL: " + meta.getJWKSetURI());
        }
        IDTokenValidator validator = new IDTokenValidator(meta.getIssuer(), new ClientID(p.clientId()),
                new JWSVerificationKeySelector<>(algorithms(meta.getIDTokenJWSAlgs()), keys), null);
        validator.setMaxClockSkew((int) clockSkew.toSeconds());
        return new Client(meta, validator, System.nanoTime(), p.issuer(), p.clientId(),
                meta.supportsAuthorizationResponseIssuerParam(), keys, (int) clockSkew.toSeconds());
    }

    /**
     * The algorithms an ID token may be signed with: those the provider advertises that the gateway verifies (all of
     * them when it advertises none). The token's own header picks among them, with the key its JWKS names: a provider
     * that lists RS256 but signs with ES256 is followed, never refused or downgraded.
     */
    static Set<JWSAlgorithm> algorithms(List<JWSAlgorithm> advertised) {
        Set<JWSAlgorithm> out = new LinkedHashSet<>();
        if (advertised != null) {
            for (JWSAlgorithm a : advertised) {
                if (VERIFIABLE.contains(a)) {
                    out.add(a);
                }
            }
        }
        return out.isEmpty() ? VERIFIABLE : out;
    }

    /** The client secret, read where the provider says (a file or an environment variable), at each use. */
    public static String secret(PolicySnapshot.SsoProvider p) throws IOException {
        String ref = Objects.requireNonNull(p.clientSecretRef(), "client_secret_ref");
        if (ref.startsWith("env:")) {
            String v = System.getenv(ref.substring(4));
            if (v == null || v.isBlank()) {
                throw new IOException("the client secret's variable " + ref.substring(4) + " is not set");
            }
            return v.strip();
        }
        return Files.readString(Path.of(ref.substring(5))).strip();
    }
}
