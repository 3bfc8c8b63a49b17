package dev.gatehouse.gateway.sso;

import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.core.route.HostPattern;
import dev.gatehouse.gateway.request.Denial;
import dev.gatehouse.gateway.request.InboundRequest;
import dev.gatehouse.gateway.request.LocalAnswer;
import dev.gatehouse.gateway.request.RequestContext;
import dev.gatehouse.gateway.sso.session.HandOver;
import dev.gatehouse.gateway.sso.session.Sealed;
import dev.gatehouse.gateway.sso.session.Session;
import dev.gatehouse.gateway.sso.session.SignInState;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's own pages under {@code /.gatehouse/}, on every route and host: login, the providers' callbacks, the
 * hand-over to a routed host, logout and the published keys. What can be decided in memory (cookies opened, states
 * compared, the throttle) is decided here, on the event loop, and answered on the request's context; what waits on a
 * provider or the database is returned as {@link Deferred} work for the sign-in threads ({@link SignInFlow}).
 */
final class GatehousePages {
    private static final Logger log = LoggerFactory.getLogger(GatehousePages.class);
    static final String PREFIX = "/.gatehouse/";
    static final String LOGIN = "/.gatehouse/login";
    static final String CALLBACK = "/.gatehouse/callback";
    static final String HAND_OVER = "/.gatehouse/hand-over";
    static final String LOGOUT = "/.gatehouse/logout";
    static final String JWKS = "/.gatehouse/jwks.json";

    /** Work for the sign-in threads, queued under an organisation's share of them. */
    record Deferred(UUID org, Supplier<LocalAnswer> work) {
    }

    private final SingleSignOn sso;

    GatehousePages(SingleSignOn sso) {
        this.sso = sso;
    }

    /** The page at {@code path}: answered on the request's context now (null), or work for the sign-in threads. */
    Deferred page(InboundRequest in, String path) {
        RequestContext rc = in.context();
        HttpRequest head = in.head();
        HttpMethod method = head.method();
        boolean get = method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
        QueryStringDecoder q = new QueryStringDecoder(head.uri());
        Map<String, List<String>> params = q.parameters(); // decoded now: a malformed escape is a 400 here
        if (path.equals(JWKS)) {
            rc.answer(LocalAnswer.jsonDocument(sso.assertions.jwks(), "sso_jwks"));
            return null;
        }
        if (path.equals(LOGOUT)) {
            return method.equals(HttpMethod.POST) && throttled(rc) ? null : logout(in, method);
        }
        boolean login = path.equals(LOGIN);
        boolean callback = path.equals(CALLBACK) || path.startsWith(CALLBACK + "/");
        boolean handOver = path.equals(HAND_OVER);
        if (!login && !callback && !handOver) {
            rc.answer(LocalAnswer.error(HttpResponseStatus.NOT_FOUND, "no such gatehouse page", "sso_not_found"));
            return null;
        }
        if (!get) {
            rc.answer(LocalAnswer.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only", "sso_method"));
            return null;
        }
        if (throttled(rc)) {
            return null;
        }
        PolicySnapshot snapshot = sso.snapshots.get();
        if (snapshot == null) {
            rc.deny(Denial.unavailable("network policies are not loaded yet; try again shortly", "policies_not_loaded"));
            return null;
        }
        if (sso.baseHost.isEmpty()) {
            rc.answer(SignInPages.refused(HttpResponseStatus.SERVICE_UNAVAILABLE, "Sign-in is not configured",
                    "sso_unconfigured", "gatehouse.sso.public-base-url is not set on this gateway."));
            return null;
        }
        if (login) {
            return login(in, snapshot, params);
        }
        return callback ? callback(in, snapshot, path, params) : handOver(in, snapshot, params);
    }

    /**
     * {@code /.gatehouse/login?org=O[&provider=P][&rd=/path]}: on the public base URL's host, to the provider (on the
     * sign-in threads: it may fetch the discovery document); on a host a route names, the sign-in begins here — a
     * binding cookie on this host — and goes on at the base URL's host; on any other host, on at the base URL's host
     * with the session kept there (a Host no route names is never trusted to receive one).
     */
    private Deferred login(InboundRequest in, PolicySnapshot snapshot,
                          Map<String, List<String>> params) {
        RequestContext rc = in.context();
        List<String> orgs = params.get("org");
        if (orgs == null || orgs.size() != 1 || orgs.get(0).isEmpty()) {
            rc.answer(SignInPages.badRequest("sso_bad_login", "A sign-in names exactly one organisation (org=...)."));
            return null;
        }
        PolicySnapshot.Org org = snapshot.org(orgs.get(0));
        if (org == null) {
            rc.answer(LocalAnswer.page(HttpResponseStatus.NOT_FOUND, "Unknown organisation", "sso_unknown_org", List.of(),
                    "There is no organisation to sign in to by that name."));
            return null;
        }
        String providerName = SignInFlow.one(params, "provider");
        List<PolicySnapshot.SsoProvider> enabled = org.enabledProviders();
        PolicySnapshot.SsoProvider p = providerName != null
                ? enabled.stream().filter(e -> e.name().equals(providerName)).findFirst().orElse(null)
                : enabled.size() == 1 ? enabled.get(0) : null;
        Instant now = Instant.now();
        String hf = SignInFlow.one(params, "hf");
        HandOver handOver = hf == null ? null : sso.sessions.openHandOver(hf, Sealed.HAND_OVER_REQUEST, now);
        if (hf != null && (handOver == null || !handOver.orgId().equals(org.id()))) {
            rc.answer(SignInPages.badRequest("sso_bad_hand_over", "This sign-in link has expired. Open the page again."));
            return null;
        }
        String rd = handOver != null ? handOver.returnTo() : SignInFlow.sameOrigin(SignInFlow.one(params, "rd"));
        if (p == null && enabled.size() > 1 && providerName == null) {
            rc.answer(LocalAnswer.chooser(org.name(), enabled.stream().map(PolicySnapshot.SsoProvider::name).toList(), rd,
                    "sso_chooser"));
            return null;
        }
        if (p == null) {
            rc.answer(SignInPages.refused(HttpResponseStatus.SERVICE_UNAVAILABLE, "No sign-in provider", "sso_no_provider",
                    "Organisation " + org.name() + " has no enabled sign-in provider"
                    + (providerName == null ? "." : " named " + providerName + ".")));
            return null;
        }
        String host = HostPattern.requestHost(authority(in.head()));
        if (host.equals(sso.baseHost)) {
            LocalAnswer ready = sso.flow.loginNow(org, p, rd, handOver); // discovery known: no thread taken
            if (ready != null) {
                rc.answer(ready);
                return null;
            }
            PolicySnapshot.SsoProvider provider = p;
            return new Deferred(org.id(), () -> sso.flow.login(org, provider, rd, handOver));
        }
        String base = sso.settings.publicBaseUrl() + LOGIN + "?org=" + enc(org.name()) + "&provider=" + enc(p.name());
        if (!sso.routedHost.test(host, org.name())) {
            // a Host no route of this organisation names (and signs in on) never receives a session: sign in at the base
            rc.answer(LocalAnswer.redirect(base + "&rd=" + enc(rd), "sso_redirect", List.of()));
            return null;
        }
        // where the session will be handed: the configured name as the client wrote it, on the base URL's port
        String target = host + sso.basePort;
        String binding = SignInFlow.random();
        Instant until = now.plus(SignInFlow.SIGN_IN_TIME);
        String cookie = sso.sessions.sealHandOver(new HandOver(org.id(), binding, target, rd, until), Sealed.HAND_OVER);
        String request = sso.sessions.sealHandOver(new HandOver(org.id(), Base64.getUrlEncoder().withoutPadding()
                .encodeToString(SignInFlow.sha256(binding)), target, rd, until), Sealed.HAND_OVER_REQUEST);
        if (cookie == null || request == null) {
            rc.answer(SignInPages.refused(HttpResponseStatus.SERVICE_UNAVAILABLE, "Sign-in unavailable", "sso_no_key",
                    "This gateway has not reached its database yet; try again shortly."));
            return null;
        }
        rc.answer(LocalAnswer.redirect(base + "&hf=" + request, "sso_redirect", List.of(SignInCookies.set(
                SignInCookies.HAND_OVER, cookie, SignInFlow.SIGN_IN_TIME.toSeconds()))));
        return null;
    }

    /**
     * The provider's answer, at {@code /.gatehouse/callback/<provider id>} (or the shared path, for a provider
     * registered with it): it must match a sign-in begun in this browser (its cookie), for this very provider, once.
     * An answer that matches nothing is refused here, counted, and written nowhere.
     */
    private Deferred callback(InboundRequest in, PolicySnapshot snapshot, String path,
                             Map<String, List<String>> params) {
        RequestContext rc = in.context();
        Instant now = Instant.now();
        SignInState tx = sso.sessions.openSignIn(SignInCookies.read(in.head(), SignInCookies.SIGN_IN), now);
        String state = SignInFlow.one(params, "state");
        if (tx == null) {
            sso.unmatchedCallbacks.increment();
            rc.answer(SignInPages.refused(HttpResponseStatus.BAD_REQUEST, "Sign-in expired", "sso_no_sign_in",
                    "This sign-in was not started in this browser, or took longer than ten minutes. Open the page again."));
            return null;
        }
        if (state == null || !MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8),
                tx.state().getBytes(StandardCharsets.UTF_8))) {
            sso.unmatchedCallbacks.increment();
            // the sign-in cookie is left alone: a stray answer (a third party's link) must not end a sign-in under way
            rc.answer(LocalAnswer.page(HttpResponseStatus.BAD_REQUEST, "Sign-in refused", "sso_bad_state", List.of(),
                    "The answer does not belong to this sign-in."));
            return null;
        }
        PolicySnapshot.Org org = snapshot.org(tx.orgId());
        PolicySnapshot.SsoProvider p = org == null ? null : org.provider(tx.providerId());
        if (p == null) {
            rc.answer(SignInPages.refused(HttpResponseStatus.FORBIDDEN, "Sign-in refused", "sso_provider_disabled",
                    "This sign-in provider is no longer enabled."));
            return null;
        }
        if (!path.equals(p.redirectPath())) {
            sso.unmatchedCallbacks.increment();
            log.warn("An answer for organisation {}'s provider {} came back to {}, not its own callback {}: refused"
                    + " (a mix-up of providers?)", org.name(), p.name(), path, p.redirectPath());
            rc.answer(SignInPages.refused(HttpResponseStatus.BAD_REQUEST, "Sign-in refused", "sso_wrong_callback",
                    "The answer came back for another sign-in provider than the one this sign-in was sent to."));
            return null;
        }
        if (!sso.firstAnswer(state, tx.expiresAt(), now)) {
            rc.answer(SignInPages.refused(HttpResponseStatus.BAD_REQUEST, "Sign-in refused", "sso_replayed_state",
                    "This sign-in was already answered."));
            return null;
        }
        String clientIp = rc.client() == null ? null : rc.client().toString();
        return new Deferred(org.id(), () -> sso.flow.callback(org, p, tx, params, clientIp));
    }

    /** The app host's end of a hand-over: the code, with this host's binding cookie. */
    private Deferred handOver(InboundRequest in, PolicySnapshot snapshot,
                             Map<String, List<String>> params) {
        RequestContext rc = in.context();
        String code = SignInFlow.one(params, "code");
        String authority = HostPattern.requestHost(authority(in.head())) + sso.basePort;
        HandOver binding = sso.sessions.openHandOver(SignInCookies.read(in.head(), SignInCookies.HAND_OVER),
                Sealed.HAND_OVER, Instant.now());
        if (code == null || binding == null || !binding.host().equals(authority)) {
            rc.answer(SignInPages.refused(HttpResponseStatus.BAD_REQUEST, "Sign-in expired", "sso_hand_over_refused",
                    "This sign-in was not started in this browser, or took too long. Open the page again."));
            return null;
        }
        return new Deferred(binding.orgId(), () -> sso.flow.redeem(code, binding, authority));
    }

    /**
     * {@code /.gatehouse/logout}: a GET shows a page with a button; the POST it sends — from this site's own page only
     * ({@code Sec-Fetch-Site: same-origin}, else an {@code Origin} naming this host) — ends the session on every
     * replica and clears this browser's cookies.
     */
    private Deferred logout(InboundRequest in, HttpMethod method) {
        RequestContext rc = in.context();
        if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) {
            rc.answer(SignInPages.confirmSignOut());
            return null;
        }
        if (!method.equals(HttpMethod.POST)) {
            rc.answer(LocalAnswer.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET or POST only", "sso_method"));
            return null;
        }
        if (!fromThisSite(in.head())) {
            rc.answer(LocalAnswer.page(HttpResponseStatus.FORBIDDEN, "Sign-out refused", "sso_cross_site", List.of(),
                    "A sign-out must come from this site's own sign-out page."));
            return null;
        }
        Session s = sso.sessions.open(SignInCookies.read(in.head(), SignInCookies.SESSION), Instant.now());
        List<Map.Entry<String, String>> clearing = SignInFlow.clearAll();
        if (s == null) {
            rc.answer(LocalAnswer.page(HttpResponseStatus.OK, "Signed out", "sso_signed_out", clearing,
                    "You are signed out of this site."));
            return null;
        }
        PolicySnapshot snapshot = sso.snapshots.get();
        PolicySnapshot.Org org = snapshot == null ? null : snapshot.org(s.orgId());
        if (org == null || sso.sessions.check(s, org, Instant.now()) == null) {
            // over already (signed out, revoked, idle, its account or provider gone): nothing to share, nothing to write
            rc.answer(LocalAnswer.page(HttpResponseStatus.OK, "Signed out", "sso_signed_out", clearing,
                    "You are signed out of this site."));
            return null;
        }
        String clientIp = rc.client() == null ? null : rc.client().toString();
        return new Deferred(s.orgId(), () -> sso.flow.signOut(s, org, clientIp, clearing));
    }

    /** True (and answered 429) when the client's address asked too often. */
    private boolean throttled(RequestContext rc) {
        long retry = sso.throttle.take(SignInThrottle.key(rc.client()), System.nanoTime());
        if (retry > 0) {
            sso.throttled.increment();
            rc.answer(SignInPages.throttled(retry));
            return true;
        }
        return false;
    }

    /** A POST sent by a page of this very origin: Fetch Metadata when the browser sends it, else Origin against Host. */
    static boolean fromThisSite(HttpRequest head) {
        String site = head.headers().get("Sec-Fetch-Site");
        if (site != null) {
            return site.equals("same-origin");
        }
        String origin = head.headers().get(HttpHeaderNames.ORIGIN);
        String host = head.headers().get(HttpHeaderNames.HOST);
        if (origin == null || host == null) {
            return false;
        }
        try {
            String authority = URI.create(origin.strip()).getRawAuthority();
            return authority != null && authority.equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The request's Host as sent (validated as host[:port] by the request validator), lower case. */
    static String authority(HttpRequest head) {
        String h = head.headers().get(HttpHeaderNames.HOST);
        return h == null ? "" : h.strip().toLowerCase(Locale.ROOT);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
