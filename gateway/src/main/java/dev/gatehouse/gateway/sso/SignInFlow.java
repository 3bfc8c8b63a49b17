package dev.gatehouse.gateway.sso;

import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import dev.gatehouse.core.admin.Organisations;
import dev.gatehouse.core.admin.SsoEvents;
import dev.gatehouse.core.admin.SsoHandoffs;
import dev.gatehouse.core.admin.SsoSessions;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.core.sso.SsoSettings;
import dev.gatehouse.gateway.request.LocalAnswer;
import dev.gatehouse.gateway.sso.oidc.CodeFlow;
import dev.gatehouse.gateway.sso.oidc.OidcClients;
import dev.gatehouse.gateway.sso.session.HandOver;
import dev.gatehouse.gateway.sso.session.Session;
import dev.gatehouse.gateway.sso.session.Sessions;
import dev.gatehouse.gateway.sso.session.SignInState;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of a sign-in that wait on a provider or the database, run on the sign-in threads:
 * <ol>
 *   <li>{@link #login}: on the public base URL's host, the browser goes to the provider with a fresh {@code state},
 *       {@code nonce} and PKCE verifier sealed in a short-lived cookie, and the provider's own callback
 *       ({@code /.gatehouse/callback/<provider id>});</li>
 *   <li>{@link #callback}: the provider's answer checked against that cookie and the provider it was meant for (RFC
 *       9207's {@code iss}), the code exchanged, the ID token validated ({@link CodeFlow}), the member account found by
 *       verified email, and the session sealed — set on this host, or handed to the app's host where the sign-in
 *       began with a one-time code ({@link #handOver});</li>
 *   <li>{@link #redeem}: on the app's host, the code taken (once, on whichever replica) and checked against that
 *       host's binding cookie;</li>
 *   <li>{@link #signOut}: the session's id on the shared deny list until it expires.</li>
 * </ol>
 * Every sign-in, refusal (with its reason) and sign-out of an organisation is a row of {@code sso_events}.
 */
final class SignInFlow {
    private static final Logger log = LoggerFactory.getLogger(SignInFlow.class);
    static final Duration SIGN_IN_TIME = Duration.ofMinutes(10);
    /** A hand-over code is good for this long, and once. */
    static final Duration HAND_OVER_TIME = Duration.ofSeconds(60);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final OidcClients clients;
    private final Sessions sessions;
    private final Supplier<PolicySnapshot> snapshots;
    private final SsoSettings settings;
    private final Database database;

    SignInFlow(OidcClients clients, Sessions sessions, SsoSettings settings, Database database,
               Supplier<PolicySnapshot> snapshots) {
        this.clients = clients;
        this.sessions = sessions;
        this.snapshots = snapshots;
        this.settings = settings;
        this.database = database;
    }

    /**
     * Where to send the browser for {@code p}, from the public base URL's host.
     *
     * @param handOver the app host's half of a sign-in begun there, or null
     */
    LocalAnswer login(PolicySnapshot.Org org, PolicySnapshot.SsoProvider p, String returnTo, HandOver handOver) {
        OidcClients.Client client;
        try {
            client = clients.client(p);
        } catch (Exception e) {
            log.warn("Sign-in for {} unavailable: provider {} ({}) did not answer: {}", org.name(), p.name(), p.issuer(),
                    e.getMessage());
            return SignInPages.refused(HttpResponseStatus.SERVICE_UNAVAILABLE, "Sign-in unavailable", "sso_provider_down",
                    "The sign-in provider did not answer; try again shortly.");
        }
        return login(org, p, client, returnTo, handOver);
    }

    /**
     * The same, on the event loop, when the provider's discovery document is known already (the usual case: memory
     * work only, no sign-in thread taken); null when it must be fetched first.
     */
    LocalAnswer loginNow(PolicySnapshot.Org org, PolicySnapshot.SsoProvider p, String returnTo, HandOver handOver) {
        OidcClients.Client client = clients.cached(p);
        return client == null ? null : login(org, p, client, returnTo, handOver);
    }

    private LocalAnswer login(PolicySnapshot.Org org, PolicySnapshot.SsoProvider p, OidcClients.Client client,
                              String returnTo, HandOver handOver) {
        Instant now = Instant.now();
        String state = random();
        String nonce = random();
        String verifier = random() + random(); // 86 characters: within RFC 7636's 43..128
        String tx = sessions.sealSignIn(new SignInState(org.id(), p.id(), state, nonce, verifier, returnTo,
                handOver == null ? null : handOver.host(), handOver == null ? null : handOver.binding(),
                now.plus(SIGN_IN_TIME)));
        if (tx == null) {
            return SignInPages.refused(HttpResponseStatus.SERVICE_UNAVAILABLE, "Sign-in unavailable", "sso_no_key",
                    "This gateway has not reached its database yet; try again shortly.");
        }
        URI authorize = CodeFlow.authorize(client, p.clientId(), redirectUri(p), state, nonce, verifier);
        return LocalAnswer.redirect(authorize.toString(), "sso_redirect", List.of(
                SignInCookies.set(SignInCookies.SIGN_IN, tx, SIGN_IN_TIME.toSeconds())));
    }

    URI redirectUri(PolicySnapshot.SsoProvider p) {
        return URI.create(settings.publicBaseUrl() + p.redirectPath());
    }

    /** Who a sign-in was for, as far as it got: what sso_events records of it. */
    private static final class Attempt {
        UUID account;
        String email;
    }

    /**
     * The provider's answer to a sign-in that {@code tx} (opened, its state matched, on the event loop) describes; the
     * provider {@code p} is the one the callback's path names and the sign-in was for.
     */
    LocalAnswer callback(PolicySnapshot.Org org, PolicySnapshot.SsoProvider p, SignInState tx,
                         Map<String, List<String>> query, String clientIp) {
        Attempt a = new Attempt();
        LocalAnswer answer = callback(org, p, tx, query, clientIp, a);
        boolean in = answer.reason().equals("sso_signed_in") || answer.reason().equals("sso_hand_over");
        record(in ? "sign-in" : "sign-in refused", org.id(), p.id(), a.account, a.email, clientIp,
                in ? null : answer.reason());
        return answer;
    }

    private LocalAnswer callback(PolicySnapshot.Org org, PolicySnapshot.SsoProvider p, SignInState tx,
                                 Map<String, List<String>> query, String clientIp, Attempt attempt) {
        if (!p.enabled()) {
            return SignInPages.refused(HttpResponseStatus.FORBIDDEN, "Sign-in refused", "sso_provider_disabled",
                    "This sign-in provider is no longer enabled.");
        }
        OidcClients.Client client;
        try {
            client = clients.client(p);
            CodeFlow.checkIssuer(client, query);
        } catch (CodeFlow.Refused r) {
            log.warn("Sign-in to {} with {} refused: {} (client {})", org.name(), p.name(), r.getMessage(), clientIp);
            return SignInPages.refused(HttpResponseStatus.FORBIDDEN, "Sign-in refused", r.reason(),
                    "The answer did not come from this organisation's sign-in provider.");
        } catch (Exception e) {
            log.warn("Sign-in to {} with {} failed: {} (client {})", org.name(), p.name(), e.toString(), clientIp);
            return SignInPages.refused(HttpResponseStatus.BAD_GATEWAY, "Sign-in failed", "sso_provider_down",
                    "The sign-in provider could not be reached; try again shortly.");
        }
        String error = one(query, "error");
        if (error != null) {
            log.warn("Sign-in to {} with {} refused by the provider: {} (client {})", org.name(), p.name(), printable(error),
                    clientIp);
            return SignInPages.refused(HttpResponseStatus.FORBIDDEN, "Sign-in refused", "sso_provider_error",
                    "The provider answered: " + error);
        }
        String code = one(query, "code");
        if (code == null) {
            return SignInPages.refused(HttpResponseStatus.BAD_REQUEST, "Sign-in refused", "sso_no_code",
                    "The provider's answer has no code.");
        }
        IDTokenClaimsSet id;
        try {
            id = CodeFlow.exchange(client, p, code, redirectUri(p), tx.verifier(), tx.nonce(), settings.checkTimeout());
        } catch (CodeFlow.Refused r) {
            log.warn("Sign-in to {} with {}: {} (client {})", org.name(), p.name(), r.getMessage(), clientIp);
            return SignInPages.refused(HttpResponseStatus.FORBIDDEN, "Sign-in refused", r.reason(), r.reason()
                    .equals("sso_bad_id_token") ? "The provider's ID token did not check out." : r.getMessage() + ".");
        } catch (Exception e) {
            log.warn("Sign-in to {} with {} failed: {} (client {})", org.name(), p.name(), e.toString(), clientIp);
            return SignInPages.refused(HttpResponseStatus.BAD_GATEWAY, "Sign-in failed", "sso_provider_down",
                    "The sign-in provider could not be reached; try again shortly.");
        }
        String email = id.getStringClaim("email");
        attempt.email = email == null ? null : printable(email);
        Boolean verified = id.getBooleanClaim("email_verified");
        if (email == null || email.isBlank() || !(Boolean.TRUE.equals(verified) || p.emailVouched())) {
            return SignInPages.refused(HttpResponseStatus.FORBIDDEN, "Sign-in refused", "sso_email_unverified",
                    "The provider did not vouch for an email address (email_verified).");
        }
        email = email.strip();
        if (!printable(email).equals(email)) { // a provider's claim with control characters: never a stored name
            attempt.email = printable(email);
            return SignInPages.refused(HttpResponseStatus.FORBIDDEN, "Sign-in refused", "sso_email_invalid",
                    "The provider's email address holds control characters.");
        }
        String domain = email.substring(email.indexOf('@') + 1).toLowerCase(Locale.ROOT);
        if (!p.allowedDomains().isEmpty() && !p.allowedDomains().contains(domain)) {
            return SignInPages.refused(HttpResponseStatus.FORBIDDEN, "Sign-in refused", "sso_domain_refused",
                    "Addresses of " + domain + " may not sign in to " + org.name() + " with this provider.");
        }
        PolicySnapshot.Account account = org.memberByEmail(email);
        UUID accountId = account == null ? null : account.id();
        if (accountId == null && "member".equals(p.autoCreate())) {
            accountId = createMember(org, p, email);
            awaitInSnapshot(org.id(), accountId);
        }
        if (accountId == null) {
            log.warn("Sign-in to {} with {}: no member account has the email {} (client {})", org.name(), p.name(), email,
                    clientIp);
            return SignInPages.refused(HttpResponseStatus.FORBIDDEN, "No account", "sso_no_account",
                    "You signed in as " + email + ", but organisation " + org.name()
                    + " has no member account with that address. Ask one of its administrators to add it.");
        }
        attempt.account = accountId;
        Instant issued = recordSignIn(accountId, p.id());
        Instant now = Instant.now();
        String session = sessions.seal(new Session(random(), org.id(), accountId, p.id(), Sessions.fingerprint(p), email,
                issued, now, now.plus(settings.sessionLifetime())));
        if (session == null) {
            return SignInPages.refused(HttpResponseStatus.SERVICE_UNAVAILABLE, "Sign-in unavailable", "sso_no_key",
                    "This gateway has not reached its database yet; try again shortly.");
        }
        log.info("Signed in to {} with {}: {} (client {})", org.name(), p.name(), email, clientIp);
        if (tx.handOverHost() != null) {
            return handOver(org, tx, session, now);
        }
        return LocalAnswer.redirect(tx.returnTo(), "sso_signed_in", List.of(SignInCookies.set(SignInCookies.SESSION,
                session, settings.sessionLifetime().toSeconds()), SignInCookies.clear(SignInCookies.SIGN_IN)));
    }

    /**
     * The session, for the app's host where the sign-in began: stored under the hash of a one-time code (good for
     * {@link #HAND_OVER_TIME}, once, on any replica) and bound to that host's binding cookie; the browser takes the
     * code there. The session itself never travels in a URL.
     */
    private LocalAnswer handOver(PolicySnapshot.Org org, SignInState tx, String session, Instant now) {
        String code = random();
        try {
            SsoHandoffs.put(database.dataSource(), sha256(code), org.id(), tx.handOverHost(),
                    Base64.getUrlDecoder().decode(tx.bindingHash()), session, tx.returnTo(), now.plus(HAND_OVER_TIME));
        } catch (RuntimeException e) {
            log.warn("Sign-in to {}: the hand-over to {} was not stored: {}", org.name(), tx.handOverHost(),
                    Database.sqlReason(e));
            return SignInPages.refused(HttpResponseStatus.SERVICE_UNAVAILABLE, "Sign-in unavailable", "sso_hand_over_failed",
                    "The sign-in could not be handed to the application's address; try again shortly.");
        }
        String scheme = URI.create(settings.publicBaseUrl()).getScheme();
        return LocalAnswer.redirect(scheme + "://" + tx.handOverHost() + GatehousePages.HAND_OVER + "?code=" + code,
                "sso_hand_over", List.of(SignInCookies.clear(SignInCookies.SIGN_IN)));
    }

    /**
     * A hand-over code presented on the app's host with that host's binding cookie ({@code binding}, opened on the
     * event loop): taken from the database (so never twice, on any replica, even when refused here), and the session
     * set on this host when the code was made for it, for this binding and this organisation.
     */
    LocalAnswer redeem(String code, HandOver binding, String requestHost) {
        SsoHandoffs.Handoff h;
        try {
            h = SsoHandoffs.take(database.dataSource(), sha256(code));
        } catch (RuntimeException e) {
            log.warn("A sign-in hand-over could not be read: {}", Database.sqlReason(e));
            return SignInPages.refused(HttpResponseStatus.SERVICE_UNAVAILABLE, "Sign-in unavailable", "sso_hand_over_failed",
                    "The sign-in could not be completed; try again shortly.");
        }
        if (h == null || !h.host().equals(requestHost) || !h.orgId().equals(binding.orgId())
                || !MessageDigest.isEqual(h.bindingHash(), sha256(binding.binding()))) {
            log.warn("A sign-in hand-over on {} was refused: {}", requestHost, h == null ? "unknown, used or expired code"
                    : "made for another browser, host or organisation");
            return SignInPages.refused(HttpResponseStatus.BAD_REQUEST, "Sign-in expired", "sso_hand_over_refused",
                    "This sign-in was not started in this browser, or took too long. Open the page again.");
        }
        long left = Math.max(1, settings.sessionLifetime().toSeconds());
        return LocalAnswer.redirect(h.returnTo(), "sso_signed_in", List.of(SignInCookies.set(SignInCookies.SESSION,
                h.session(), left), SignInCookies.clear(SignInCookies.HAND_OVER)));
    }

    /**
     * A sign-out: the session's id on the organisation's deny list until the session would have expired (every
     * replica refuses it within the propagation time), recorded; then, with {@code sso.logout-at-provider}, on to the
     * provider's end-session endpoint when it advertises one.
     */
    LocalAnswer signOut(Session s, PolicySnapshot.Org org, String clientIp, List<Map.Entry<String, String>> clearing) {
        if (s != null) {
            try {
                SsoSessions.signedOut(database.dataSource(), s.orgId(), s.id(), s.expiresAt());
            } catch (RuntimeException e) {
                log.warn("Sign-out of session {} not shared with the other gateways: {}", s.id(), Database.sqlReason(e));
                return SignInPages.refused(HttpResponseStatus.SERVICE_UNAVAILABLE, "Sign-out incomplete",
                        "sso_sign_out_failed", "This gateway could not end the session everywhere; try again shortly.");
            }
            record("sign-out", s.orgId(), s.providerId(), s.accountId(), s.email(), clientIp, null);
            PolicySnapshot.SsoProvider p = org == null ? null : org.provider(s.providerId());
            if (settings.logoutAtProvider() && p != null) {
                try {
                    URI end = clients.client(p).endSessionEndpoint();
                    if (end != null) { // a link, not a redirect: this answers a form's POST (CSP form-action 'self')
                        String sep = end.getRawQuery() == null ? "?" : "&";
                        return LocalAnswer.link(HttpResponseStatus.OK, "Signed out", end + sep + "client_id="
                                + URLEncoder.encode(p.clientId(), StandardCharsets.UTF_8), "Sign out of " + p.name()
                                + " too", "sso_signed_out", clearing, "You are signed out of this site.");
                    }
                } catch (Exception e) {
                    log.warn("Sign-out at provider {} skipped: {}", p.name(), e.toString());
                }
            }
        }
        return LocalAnswer.page(HttpResponseStatus.OK, "Signed out", "sso_signed_out", clearing,
                "You are signed out of this site.");
    }

    /**
     * Waits (up to two seconds, on this sign-in thread) until this gateway's policy snapshot holds an account just
     * made: the browser's next request, right after this answer, would otherwise meet a session for an account the
     * gateway does not know yet, and be sent to sign in again.
     */
    private void awaitInSnapshot(UUID org, UUID account) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (account != null && System.nanoTime() < deadline) {
            PolicySnapshot s = snapshots.get();
            PolicySnapshot.Org o = s == null ? null : s.org(org);
            if (o != null && o.accounts().containsKey(account)) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One row of sso_events; a database that does not answer loses it (logged), never the sign-in. */
    private void record(String event, UUID org, UUID provider, UUID account, String email, String clientIp, String reason) {
        try {
            SsoEvents.record(database.dataSource(), event, org, provider, account, email, clientIp, reason);
        } catch (Exception e) {
            log.warn("SSO event not recorded ({} {} from {}): {}", event, email, clientIp, Database.sqlReason(e));
        }
    }

    private UUID createMember(PolicySnapshot.Org org, PolicySnapshot.SsoProvider p, String email) {
        try {
            UUID id = new Organisations(database.dataSource(), "sso:" + p.name()).createMember(org.id(),
                    email.toLowerCase(Locale.ROOT), email);
            if (id != null) {
                log.info("Created member account {} in {} at its first sign-in (auto-create = member)",
                        email.toLowerCase(Locale.ROOT), org.name());
            }
            return id;
        } catch (RuntimeException e) {
            log.warn("Could not create an account for {} in {}: {}", email, org.name(), Database.sqlReason(e));
            return null;
        }
    }

    /**
     * The account's and provider's last sign-in (no policy reload follows: V8's triggers ignore this column); returns
     * the sign-in's instant by the database's clock — the clock revocations are read off — or this JVM's when the
     * database does not answer.
     */
    private Instant recordSignIn(UUID account, UUID provider) {
        try {
            Instant at = SsoEvents.signedIn(database.dataSource(), account, provider);
            if (at != null) {
                return at;
            }
        } catch (Exception e) {
            log.debug("last sign-in not recorded: {}", Database.sqlReason(e));
        }
        return Instant.now();
    }

    /** {@code s} with every control character (C0, DEL, C1) as '?': what a provider sent, fit for a log line or a row. */
    static String printable(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f && c < 0xa0) {
                if (b == null) {
                    b = new StringBuilder(s);
                }
                b.setCharAt(i, '?');
            }
        }
        return b == null ? s : b.toString();
    }

    /** 32 random bytes, base64url: states, nonces, session ids, bindings and codes. */
    static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String one(Map<String, List<String>> query, String name) {
        List<String> v = query.get(name);
        return v == null || v.size() != 1 ? null : v.get(0);
    }

    /** A same-origin path to return to: "/..." but never "//host", a backslash or a scheme; "/" otherwise. */
    static String sameOrigin(String rd) {
        if (rd == null || !rd.startsWith("/") || rd.startsWith("//") || rd.indexOf('\\') >= 0 || rd.length() > 2048) {
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

    static List<Map.Entry<String, String>> clearAll() {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        out.add(SignInCookies.clear(SignInCookies.SESSION));
        out.add(SignInCookies.clear(SignInCookies.SIGN_IN));
        out.add(SignInCookies.clear(SignInCookies.HAND_OVER));
        return out;
    }
}
