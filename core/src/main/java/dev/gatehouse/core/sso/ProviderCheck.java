package dev.gatehouse.core.sso;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import java.io.IOException;
import java.text.ParseException;
import java.time.Duration;

/**
 * Asks an OpenID provider what the gateway will ask it: its discovery document (whose issuer must be the one
 * configured, exactly) and the signing keys its {@code jwks_uri} names. For {@code gatehouse-admin sso check} and
 * {@code sso require}; the gateway's own fetches use the same two steps.
 */
public final class ProviderCheck {
    /** At most this much of a JWKS document is read. */
    static final int JWKS_SIZE_LIMIT = 512 * 1024;

    /**
     * What the provider answered.
     *
     * @param problem null when both the discovery document and the keys were fetched and made sense; else one line
     */
    public record Health(String issuer, boolean discovered, String authorizationEndpoint, String tokenEndpoint,
                         String jwksUri, int signingKeys, String problem) {
        public boolean ok() {
            return problem == null;
        }
    }

    private ProviderCheck() {
    }

    public static Health check(String issuer, Duration timeout) {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        OIDCProviderMetadata meta;
        try {
            meta = OIDCProviderMetadata.resolve(new Issuer(IssuerUrl.check(issuer)), millis, millis);
        } catch (IllegalArgumentException e) {
            return new Health(issuer, false, null, null, null, 0, e.getMessage());
        } catch (GeneralException e) {
            return new Health(issuer, false, null, null, null, 0, "discovery document refused: " + e.getMessage());
        } catch (IOException e) {
            return new Health(issuer, false, null, null, null, 0, "discovery document unreachable: " + e);
        }
        String auth = meta.getAuthorizationEndpointURI() == null ? null : meta.getAuthorizationEndpointURI().toString();
        String token = meta.getTokenEndpointURI() == null ? null : meta.getTokenEndpointURI().toString();
        String jwks = meta.getJWKSetURI() == null ? null : meta.getJWKSetURI().toString();
        if (auth == null || token == null || jwks == null) {
            return new Health(issuer, true, auth, token, jwks, 0, "the discovery document lacks "
                    + (auth == null ? "authorization_endpoint" : token == null ? "token_endpoint" : "jwks_uri"));
        }
        try {
            JWKSet keys = JWKSet.load(meta.getJWKSetURI().toURL(), millis, millis, JWKS_SIZE_LIMIT);
            long signing = keys.getKeys().stream().filter(k -> k.getKeyUse() == null
                    || k.getKeyUse().identifier().equals("sig")).count();
            if (signing == 0) {
                return new Health(issuer, true, auth, token, jwks, 0, "the JWKS at " + jwks + " holds no signing key");
            }
            return new Health(issuer, true, auth, token, jwks, (int) signing, null);
        } catch (IOException | ParseException e) {
            return new Health(issuer, true, auth, token, jwks, 0, "JWKS at " + jwks + " not fetched: " + e.getMessage());
        }
    }
}
