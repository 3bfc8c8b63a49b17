package dev.gatehouse.gateway.sso;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.GeneralException;
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
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.core.sso.SsoSettings;
import dev.gatehouse.gateway.request.LocalAnswer;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two halves of a sign-in, run on the sign-in threads (they fetch and post to the provider, and write the
 * account's last sign-in): {@link #login} sends the browser to the provider with a fresh {@code state}, {@code nonce}
 * and PKCE verifier sealed in a short-lived cookie; {@link #callback} checks them, exchanges the code, validates the ID
 * token fully (signature, iss, aud/azp, exp/iat within the clock skew, nonce), finds the member account by verified
 * email, and seals the session.
 */
final class SignInFlow {
    private static final Logger log = LoggerFactory.getLogger(SignInFlow.class);
    static final String SESSION_COOKIE = "__Host-gatehouse";
    static final String SIGN_IN_COOKIE = "__Host-gatehouse-signin";
    static final Duration SIGN_IN_TIME = Duration.ofMinutes(10);
    private static final Scope SCOPE = new Scope("openid", "email", "profile");

    private final OidcClients clients;
    private final SharedKeys<SecretKey> keys;
    private final SsoSettings settings;
    private final Database database;
    /** States already answered here, until their sign-in would have expired anyway: a replayed answer is refused. */
    private final Map<String, Instant> consumed = new ConcurrentHashMap<>();

    SignInFlow(OidcClients clients, SharedKeys<SecretKey> keys, SsoSettings settings, Database database) {
        this.clients = clients;
        this.keys = keys;
        this.settings = settings;
        this.database = database;
    }

    /** The session cookie, set: host-only, every path, never to scripts, never cross-site except top-level GETs. */
    static Map.Entry<String, String> cookie(String name, String value, long maxAgeSeconds) {
        return Map.entry("Set-Cookie", name + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds
                + "; Secure; HttpOnly; SameSite=Lax");
    }

    static Map.Entry<String, String> clear(String name) {
        return cookie(name, "", 0);
    }

    /** A same-origin path to return to: "/..." but never "//host", a backslash or a scheme; "/" otherwise. */
    static String sameOrigin(String rd) {
        if (rd == null || !rd.startsWith("/") || rd.startsWith("//") || rd.startsWith("/\\") || rd.indexOf('\\') >= 0
                || rd.length() > 2048) {
            return "/";
        }
        for (int i = 0; i < rd.length(); i++) {
            char c = rd.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return "/";
            }
        }
        return rd;
    }

    LocalAnswer login(PolicySnapshot.Org org, String providerName, String returnTo) {
        if (settings.redirectUri() == null) {
            return failure(HttpResponseStatus.SERVICE_UNAVAILABLE, "Sign-in is not configured",
                    "gatehouse.sso.public-base-url is not set on this gateway.", "sso_unconfigured", null);
        }
        List<PolicySnapshot.SsoProvider> enabled = org.enabledProviders();
        PolicySnapshot.SsoProvider p = null;
        if (providerName != null) {
            p = enabled.stream().filter(e -> e.name().equals(providerName)).findFirst().orElse(null);
        } else if (enabled.size() == 1) {
            p = enabled.get(0);
        }
        String rd = sameOrigin(returnTo);
        if (p == null && enabled.size() > 1 && providerName == null) {
            return LocalAnswer.chooser(org.name(), enabled.stream().map(PolicySnapshot.SsoProvider::name).toList(), rd,
                    "sso_chooser");
        }
        if (p == null) {
            return failure(HttpResponseStatus.SERVICE_UNAVAILABLE, "No sign-in provider",
                    "Organisation " + org.name() + " has no enabled sign-in provider" + (providerName == null ? ""
                            : " named " + providerName) + ".", "sso_no_provider", null);
        }
        OidcClients.Client client;
        try {
            client = clients.client(p);
        } catch (Exception e) {
            log.warn("Sign-in for {} unavailable: provider {} ({}) did not answer: {}", org.name(), p.name(), p.issuer(),
                    e.getMessage());
            return failure(HttpResponseStatus.SERVICE_UNAVAILABLE, "Sign-in unavailable",
                    "The sign-in provider did not answer; try again shortly.", "sso_provider_down", null);
        }
        State state = new State();
        Nonce nonce = new Nonce();
        CodeVerifier verifier = new CodeVerifier();
        URI authorize = new AuthenticationRequest.Builder(ResponseType.CODE, SCOPE, new ClientID(p.clientId()),
                URI.create(settings.redirectUri())).endpointURI(client.metadata().getAuthorizationEndpointURI())
                .state(state).nonce(nonce).codeChallenge(verifier, CodeChallengeMethod.S256).build().toURI();
        Instant now = Instant.now();
        String tx = Sealed.seal(keys, Sealed.SIGN_IN, new JWTClaimsSet.Builder().claim("org", org.id().toString())
                .claim("prv", p.id().toString()).claim("st", state.getValue()).claim("nce", nonce.getValue())
                .claim("pkv", verifier.getValue()).claim("rd", rd).expirationTime(Date.from(now.plus(SIGN_IN_TIME))).build());
        if (tx == null) {
            return failure(HttpResponseStatus.SERVICE_UNAVAILABLE, "Sign-in unavailable",
                    "This gateway has not reached its database yet; try again shortly.", "sso_no_key", null);
        }
        return LocalAnswer.redirect(authorize.toString(), "sso_redirect", List.of(cookie(SIGN_IN_COOKIE, tx,
                SIGN_IN_TIME.toSeconds())));
    }

    /** Who a sign-in was for, as far as it got: what sso_events records of it. */
    private static final class Attempt {
        UUID org;
        UUID provider;
        UUID account;
        String email;
    }

    /** The provider's answer: the code (or its error), checked against the sign-in cookie; recorded in sso_events. */
    LocalAnswer callback(PolicySnapshot snapshot, Map<String, List<String>> query, String signInCookie, String clientIp) {
        Attempt a = new Attempt();
        LocalAnswer answer = callback(snapshot, query, signInCookie, clientIp, a);
        boolean in = answer.reason().equals("sso_signed_in");
        record(in ? "sign-in" : "sign-in refused", a.org, a.provider, a.account, a.email, clientIp, in ? null : answer.reason());
        return answer;
    }

    /** A sign-out: the session it ended (when it still opens) names whom. */
    void signedOut(String sessionCookie, String clientIp) {
        JWTClaimsSet s = Sealed.open(keys, Sealed.SESSION, sessionCookie, Instant.now());
        if (s != null) {
            record("sign-out", uuid(s.getClaim("org")), uuid(s.getClaim("prv")), uuid(s.getSubject()),
                    (String) s.getClaim("eml"), clientIp, null);
        }
    }

    private static UUID uuid(Object v) {
        try {
            return v == null ? null : UUID.fromString(v.toString());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** One row of sso_events; a database that does not answer loses it (logged), never the sign-in. */
    private void record(String event, UUID org, UUID provider, UUID account, String email, String clientIp, String reason) {
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO sso_events (org_id, provider_id, account_id, event,"
                     + " email, client_ip, reason) VALUES (?, ?, ?, ?, ?, ?::inet, ?)")) {
            ps.setObject(1, org);
            ps.setObject(2, provider);
            ps.setObject(3, account);
            ps.setString(4, event);
            ps.setString(5, email);
            ps.setString(6, clientIp == null || clientIp.equals("-") ? null : clientIp);
            ps.setString(7, reason);
            ps.executeUpdate();
        } catch (Exception e) {
            log.warn("SSO event not recorded ({} {} from {}): {}", event, email, clientIp, Database.sqlReason(e));
        }
    }

    private LocalAnswer callback(PolicySnapshot snapshot, Map<String, List<String>> query, String signInCookie,
                                 String clientIp, Attempt attempt) {
        Instant now = Instant.now();
        JWTClaimsSet tx = Sealed.open(keys, Sealed.SIGN_IN, signInCookie, now);
        if (tx == null) {
            return failure(HttpResponseStatus.BAD_REQUEST, "Sign-in expired",
                    "This sign-in was not started here, or took longer than ten minutes. Open the page again.",
                    "sso_no_sign_in", null);
        }
        String state = one(query, "state");
        if (state == null || !MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8),
                String.valueOf(tx.getClaim("st")).getBytes(StandardCharsets.UTF_8))) {
            return failure(HttpResponseStatus.BAD_REQUEST, "Sign-in refused", "The answer does not belong to this sign-in.",
                    "sso_bad_state", null);
        }
        consumed.values().removeIf(until -> until.isBefore(now));
        if (consumed.putIfAbsent(state, now.plus(SIGN_IN_TIME)) != null) {
            return failure(HttpResponseStatus.BAD_REQUEST, "Sign-in refused", "This sign-in was already answered.",
                    "sso_replayed_state", null);
        }
        attempt.org = uuid(tx.getClaim("org"));
        attempt.provider = uuid(tx.getClaim("prv"));
        PolicySnapshot.Org org = snapshot.org(UUID.fromString((String) tx.getClaim("org")));
        PolicySnapshot.SsoProvider p = org == null ? null : org.provider(UUID.fromString((String) tx.getClaim("prv")));
        if (p == null || !p.enabled()) {
            return failure(HttpResponseStatus.FORBIDDEN, "Sign-in refused", "This sign-in provider is no longer enabled.",
                    "sso_provider_disabled", null);
        }
        if (one(query, "error") != null) {
            log.warn("Sign-in to {} with {} refused by the provider: {} (client {})", org.name(), p.name(),
                    one(query, "error"), clientIp);
            return failure(HttpResponseStatus.FORBIDDEN, "Sign-in refused", "The provider answered: "
                    + one(query, "error"), "sso_provider_error", null);
        }
        String code = one(query, "code");
        if (code == null) {
            return failure(HttpResponseStatus.BAD_REQUEST, "Sign-in refused", "The provider's answer has no code.",
                    "sso_no_code", null);
        }
        IDTokenClaimsSet id;
        try {
            OidcClients.Client client = clients.client(p);
            TokenRequest request = new TokenRequest(client.metadata().getTokenEndpointURI(),
                    new ClientSecretBasic(new ClientID(p.clientId()), new Secret(OidcClients.secret(p))),
                    new AuthorizationCodeGrant(new AuthorizationCode(code), URI.create(settings.redirectUri()),
                            new CodeVerifier((String) tx.getClaim("pkv"))));
            HTTPRequest http = request.toHTTPRequest();
            http.setConnectTimeout((int) settings.checkTimeout().toMillis());
            http.setReadTimeout((int) settings.checkTimeout().toMillis());
            http.setFollowRedirects(false);
            TokenResponse response = OIDCTokenResponseParser.parse(http.send());
            if (!response.indicatesSuccess()) {
                String why = response.toErrorResponse().getErrorObject().getCode();
                log.warn("Sign-in to {} with {}: the token endpoint refused the code: {} (client {})", org.name(), p.name(),
                        why, clientIp);
                return failure(HttpResponseStatus.FORBIDDEN, "Sign-in refused", "The provider refused the sign-in ("
                        + why + ").", "sso_token_refused", null);
            }
            JWT idToken = ((OIDCTokenResponse) response.toSuccessResponse()).getOIDCTokens().getIDToken();
            id = client.validator().validate(idToken, new Nonce((String) tx.getClaim("nce")));
        } catch (BadJOSEException | JOSEException e) {
            log.warn("Sign-in to {} with {}: ID token refused: {} (client {})", org.name(), p.name(), e.getMessage(), clientIp);
            return failure(HttpResponseStatus.FORBIDDEN, "Sign-in refused", "The provider's ID token did not check out.",
                    "sso_bad_id_token", null);
        } catch (Exception e) {
            log.warn("Sign-in to {} with {} failed: {} (client {})", org.name(), p.name(), e.toString(), clientIp);
            return failure(HttpResponseStatus.BAD_GATEWAY, "Sign-in failed", "The sign-in provider could not be reached;"
                    + " try again shortly.", "sso_provider_down", null);
        }
        String email = id.getStringClaim("email");
        attempt.email = email;
        Boolean verified = id.getBooleanClaim("email_verified");
        if (email == null || email.isBlank() || !(Boolean.TRUE.equals(verified) || p.emailVouched())) {
            return failure(HttpResponseStatus.FORBIDDEN, "Sign-in refused", "The provider did not vouch for an email"
                    + " address (email_verified).", "sso_email_unverified", email);
        }
        email = email.strip();
        String domain = email.substring(email.indexOf('@') + 1).toLowerCase(Locale.ROOT);
        if (!p.allowedDomains().isEmpty() && !p.allowedDomains().contains(domain)) {
            return failure(HttpResponseStatus.FORBIDDEN, "Sign-in refused", "Addresses of " + domain
                    + " may not sign in to " + org.name() + " with this provider.", "sso_domain_refused", email);
        }
        PolicySnapshot.Account account = org.memberByEmail(email);
        UUID accountId = account == null ? null : account.id();
        if (accountId == null && "member".equals(p.autoCreate())) {
            accountId = createMember(org, email);
        }
        if (accountId == null) {
            log.warn("Sign-in to {} with {}: no member account has the email {} (client {})", org.name(), p.name(), email,
                    clientIp);
            return failure(HttpResponseStatus.FORBIDDEN, "No account", "You signed in as " + email
                    + ", but organisation " + org.name() + " has no member account with that address."
                    + " Ask one of its administrators to add it.", "sso_no_account", email);
        }
        attempt.account = accountId;
        recordSignIn(accountId, p.id());
        String session = Sealed.seal(keys, Sealed.SESSION, new JWTClaimsSet.Builder().subject(accountId.toString())
                .claim("org", org.id().toString()).claim("prv", p.id().toString()).claim("pcf", fingerprint(p))
                .claim("eml", email).claim("lst", now.getEpochSecond()).issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(settings.sessionLifetime()))).build());
        log.info("Signed in to {} with {}: {} (client {})", org.name(), p.name(), email, clientIp);
        return LocalAnswer.redirect((String) tx.getClaim("rd"), "sso_signed_in", List.of(
                cookie(SESSION_COOKIE, session, settings.sessionLifetime().toSeconds()), clear(SIGN_IN_COOKIE)));
    }

    /** What a session must still match: a provider re-pointed at another issuer or client ends its sessions. */
    static String fingerprint(PolicySnapshot.SsoProvider p) {
        return Integer.toHexString((p.issuer() + "\n" + p.clientId()).hashCode());
    }

    private UUID createMember(PolicySnapshot.Org org, String email) {
        String name = email.toLowerCase(Locale.ROOT);
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO accounts (org_id, name, kind, role, email)"
                     + " VALUES (?, ?, 'member', 'member', ?) ON CONFLICT DO NOTHING RETURNING id")) {
            ps.setObject(1, org.id());
            ps.setString(2, name);
            ps.setString(3, email);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    log.info("Created member account {} in {} at its first sign-in (auto-create = member)", name, org.name());
                    return (UUID) rs.getObject(1);
                }
            }
        } catch (Exception e) {
            log.warn("Could not create an account for {} in {}: {}", email, org.name(), Database.sqlReason(e));
        }
        return null;
    }

    private void recordSignIn(UUID account, UUID provider) {
        try (Connection c = database.dataSource().getConnection();
             PreparedStatement a = c.prepareStatement("UPDATE accounts SET last_sign_in_at = now() WHERE id = ?");
             PreparedStatement p = c.prepareStatement("UPDATE sso_providers SET last_sign_in_at = now() WHERE id = ?")) {
            a.setObject(1, account);
            a.executeUpdate();
            p.setObject(1, provider);
            p.executeUpdate();
        } catch (Exception e) {
            log.debug("last sign-in not recorded: {}", Database.sqlReason(e));
        }
    }

    /** A refused sign-in's page: {@code text} is text, whatever it quotes (escaped by the page). */
    private static LocalAnswer failure(HttpResponseStatus status, String title, String text, String reason, String email) {
        return LocalAnswer.page(status, title, reason, List.of(clear(SIGN_IN_COOKIE)), text);
    }

    private static String one(Map<String, List<String>> query, String name) {
        List<String> v = query.get(name);
        return v == null || v.size() != 1 ? null : v.get(0);
    }
}
