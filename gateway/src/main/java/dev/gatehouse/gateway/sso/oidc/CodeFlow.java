package dev.gatehouse.gateway.sso.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import dev.gatehouse.core.policy.PolicySnapshot;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The authorization code flow with PKCE, as the gateway speaks it to a provider: the authorization request, the
 * checks on the provider's answer (RFC 9207's {@code iss}), and the code's exchange for a fully validated ID token
 * (signature over the provider's JWKS with the algorithm its key names, iss, aud/azp, exp/iat within the clock skew,
 * nonce). The protocol only: no page, no SQL.
 */
public final class CodeFlow {
    private static final Scope SCOPE = new Scope("openid", "email", "profile");

    private CodeFlow() {
    }

    /** The provider refused, or its answer did not check out: {@code reason} is the metric/record label. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final String reason;

        Refused(String reason, String message) {
            super(message);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }

    /** Where the browser goes to sign in. */
    public static URI authorize(OidcClients.Client client, String clientId, URI redirectUri, String state, String nonce,
                                String verifier) {
        return new AuthenticationRequest.Builder(ResponseType.CODE, SCOPE, new ClientID(clientId), redirectUri)
                .endpointURI(client.metadata().getAuthorizationEndpointURI()).state(new State(state))
                .nonce(new Nonce(nonce)).codeChallenge(new CodeVerifier(verifier), CodeChallengeMethod.S256).build().toURI();
    }

    /**
     * RFC 9207 (authorization server issuer identification): an answer naming an issuer must name this provider's;
     * and a provider that says it always names itself ({@code authorization_response_iss_parameter_supported}) must
     * have — the defence against a mix-up, where another provider's answer is passed off as this one's.
     */
    public static void checkIssuer(OidcClients.Client client, Map<String, List<String>> answer) throws Refused {
        List<String> iss = answer.get("iss");
        String expected = client.metadata().getIssuer().getValue();
        if (iss == null) {
            if (client.issuerResponseParameter()) {
                throw new Refused("sso_issuer_missing", "the provider's answer does not name its issuer (RFC 9207)");
            }
            return;
        }
        if (iss.size() != 1 || !iss.get(0).equals(expected)) {
            throw new Refused("sso_issuer_mismatch", "the answer names another issuer than this provider's (RFC 9207)");
        }
    }

    /** The code exchanged at the provider's token endpoint, and its ID token validated. */
    public static IDTokenClaimsSet exchange(OidcClients.Client client, PolicySnapshot.SsoProvider p, String code,
                                            URI redirectUri, String verifier, String nonce, Duration timeout)
            throws Refused, IOException {
        TokenRequest request = new TokenRequest(client.metadata().getTokenEndpointURI(),
                new ClientSecretBasic(new ClientID(p.clientId()), new Secret(OidcClients.secret(p))),
                new AuthorizationCodeGrant(new AuthorizationCode(code), redirectUri, new CodeVerifier(verifier)));
        HTTPRequest http = request.toHTTPRequest();
        http.setConnectTimeout((int) timeout.toMillis());
        http.setReadTimeout((int) timeout.toMillis());
        http.setFollowRedirects(false);
        TokenResponse response;
        try {
            response = OIDCTokenResponseParser.parse(http.send());
        } catch (ParseException e) {
            throw new Refused("sso_token_refused", "the token endpoint's answer does not parse: " + e.getMessage());
        }
        if (!response.indicatesSuccess()) {
            throw new Refused("sso_token_refused", "the provider refused the code ("
                    + response.toErrorResponse().getErrorObject().getCode() + ")");
        }
        JWT idToken = ((OIDCTokenResponse) response.toSuccessResponse()).getOIDCTokens().getIDToken();
        try {
            return client.validate(idToken, new Nonce(nonce));
        } catch (BadJOSEException | JOSEException e) {
            throw new Refused("sso_bad_id_token", "ID token refused: " + e.getMessage());
        }
    }
}
