package dev.gatehouse.gateway.sso;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.gatehouse.core.policy.PolicySnapshot;
import java.io.IOException;
import java.net.MalformedURLException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the gateway knows of each provider: its discovery document and an ID token validator over its keys (Nimbus
 * caches the JWKS and fetches it again when a token names a key it does not hold — a provider's key rotation). Only
 * ever used on the sign-in threads: fetching blocks.
 */
final class OidcClients {
    /** A provider's discovery document is read again after this long. */
    static final Duration METADATA_TTL = Duration.ofHours(1);

    record Client(OIDCProviderMetadata metadata, IDTokenValidator validator, long loadedNanos, String issuer,
                  String clientId) {
    }

    private final Map<UUID, Client> clients = new ConcurrentHashMap<>();
    private final Duration timeout;
    private final Duration clockSkew;

    OidcClients(Duration timeout, Duration clockSkew) {
        this.timeout = timeout;
        this.clockSkew = clockSkew;
    }

    /** The provider's client, fetching its discovery document when not known, stale, or the provider changed. */
    Client client(PolicySnapshot.SsoProvider p) throws IOException, GeneralException {
        Client c = clients.get(p.id());
        if (c != null && c.issuer().equals(p.issuer()) && c.clientId().equals(p.clientId())
                && System.nanoTime() - c.loadedNanos() < METADATA_TTL.toNanos()) {
            return c;
        }
        int millis = (int) timeout.toMillis();
        OIDCProviderMetadata meta = OIDCProviderMetadata.resolve(new Issuer(p.issuer()), millis, millis);
        if (meta.getAuthorizationEndpointURI() == null || meta.getTokenEndpointURI() == null || meta.getJWKSetURI() == null) {
            throw new GeneralException("the discovery document of " + p.issuer() + " lacks an endpoint or jwks_uri");
        }
        JWSAlgorithm alg = meta.getIDTokenJWSAlgs() == null || meta.getIDTokenJWSAlgs().contains(JWSAlgorithm.RS256)
                ? JWSAlgorithm.RS256 : meta.getIDTokenJWSAlgs().get(0);
        IDTokenValidator validator;
        try {
            validator = new IDTokenValidator(meta.getIssuer(), new ClientID(p.clientId()), alg,
                    meta.getJWKSetURI().toURL(), new DefaultResourceRetriever(millis, millis, 512 * 1024));
        } catch (MalformedURLException e) {
            throw new GeneralException("jwks_uri is not a URL: " + meta.getJWKSetURI());
        }
        validator.setMaxClockSkew((int) clockSkew.toSeconds());
        c = new Client(meta, validator, System.nanoTime(), p.issuer(), p.clientId());
        clients.put(p.id(), c);
        return c;
    }

    /** The client secret, read where the provider says (a file or an environment variable), at each use. */
    static String secret(PolicySnapshot.SsoProvider p) throws IOException {
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
