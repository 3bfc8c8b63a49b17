package dev.gatehouse.gateway.sso;

import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.core.route.HostPattern;
import dev.gatehouse.core.route.RouteBinding;
import dev.gatehouse.gateway.request.Denial;
import dev.gatehouse.gateway.request.InboundRequest;
import dev.gatehouse.gateway.request.LocalAnswer;
import dev.gatehouse.gateway.request.RequestContext;
import dev.gatehouse.gateway.sso.session.HandOver;
import dev.gatehouse.gateway.sso.session.Sealed;
import dev.gatehouse.gateway.sso.session.Session;
import dev.gatehouse.gateway.sso.session.Sessions;
import dev.gatehouse.gateway.sso.session.SignInState;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-in, after routing and before the network policy. A request on a route whose organisation requires sign-in
 * (or {@code sso = required}, unless the organisation is in break-glass) passes with its signed-in account when its
 * session cookie opens and still holds against the snapshot ({@link Sessions#check}); otherwise a browser is sent to
 * sign in and anything else gets 401. The gateway's own pages under {@code /.gatehouse/} are answered here on every
 * route and host: what needs a provider or the database runs on the sign-in threads while this connection's later
 * messages wait, in order; the rest (cookies opened, states compared, the throttle) is memory work on the event loop.
 *
 * <p>One per connection (it holds the connection's waiting messages).
 */
public final class SsoHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(SsoHandler.class);
    static final String PREFIX = "/.gatehouse/";
    static final String LOGIN = "/.gatehouse/login";
    static final String CALLBACK = "/.gatehouse/callback";
    static final String HAND_OVER = "/.gatehouse/hand-over";
    static final String LOGOUT = "/.gatehouse/logout";
    static final String JWKS = "/.gatehouse/jwks.json";

    private final SingleSignOn sso;
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    private boolean waiting;

    public SsoHandler(SingleSignOn sso) {
        this.sso = sso;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (waiting) {
            held.add(msg);
            return;
        }
        if (msg instanceof InboundRequest in && in.context().rejection() == null) {
            String uri = in.head().uri(); // origin-form, dot-segments resolved (RequestValidator); never decoded here
            int q = uri.indexOf('?');
            String path = q < 0 ? uri : uri.substring(0, q);
            if (path.startsWith(PREFIX)) {
                try {
                    if (page(ctx, in, path)) {
                        return; // answered later, on the event loop
                    }
                } catch (IllegalArgumentException badQuery) { // a malformed %-escape in the query
                    in.context().answer(LocalAnswer.error(HttpResponseStatus.BAD_REQUEST, "malformed query", "sso_bad_query"));
                }
            } else {
                enforce(in);
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** The gateway's pages; true when the answer comes later (the message is held). */
    private boolean page(ChannelHandlerContext ctx, InboundRequest in, String path) {
        RequestContext rc = in.context();
        HttpRequest head = in.head();
        HttpMethod method = head.method();
        boolean get = method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
        QueryStringDecoder q = new QueryStringDecoder(head.uri());
        Map<String, List<String>> params = q.parameters(); // decoded now: a malformed escape is a 400 here
        if (path.equals(JWKS)) {
            rc.answer(LocalAnswer.jsonDocument(sso.assertions.jwks(), "sso_jwks"));
            return false;
        }
        if (path.equals(LOGOUT)) {
            return logout(ctx, in, method);
        }
        boolean login = path.equals(LOGIN);
        boolean callback = path.equals(CALLBACK) || path.startsWith(CALLBACK + "/");
        boolean handOver = path.equals(HAND_OVER);
        if (!login && !callback && !handOver) {
            rc.answer(LocalAnswer.error(HttpResponseStatus.NOT_FOUND, "no such gatehouse page", "sso_not_found"));
            return false;
        }
        if (!get) {
            rc.answer(LocalAnswer.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only", "sso_method"));
            return false;
        }
        long retry = sso.throttle.take(rc.client() == null ? "-" : rc.client().toString(), System.nanoTime());
        if (retry > 0) {
            sso.throttled.increment();
            rc.answer(SignInPages.throttled(retry));
            return false;
        }
        PolicySnapshot snapshot = sso.snapshots.get();
        if (snapshot == null) {
            rc.deny(Denial.unavailable("network policies are not loaded yet; try again shortly", "policies_not_loaded"));
            return false;
        }
        if (sso.baseHost.isEmpty()) {
            rc.answer(SignInPages.refused(HttpResponseStatus.SERVICE_UNAVAILABLE, "Sign-in is not configured",
                    "sso_unconfigured", "gatehouse.sso.public-base-url is not set on this gateway."));
            return false;
        }
        if (login) {
            return login(ctx, in, snapshot, params);
        }
        return callback ? callback(ctx, in, snapshot, path, params) : handOver(ctx, in, snapshot, params);
    }

    /**
     * {@code /.gatehouse/login?org=O[&provider=P][&rd=/path]}: on the public base URL's host, to the provider (on the
     * sign-in threads: it may fetch the discovery document); on a host a route names, the sign-in begins here — a
     * binding cookie on this host — and goes on at the base URL's host; on any other host, on at the base URL's host
     * with the session kept there (a Host no route names is never trusted to receive one).
     */
    private boolean login(ChannelHandlerContext ctx, InboundRequest in, PolicySnapshot snapshot,
                          Map<String, List<String>> params) {
        RequestContext rc = in.context();
        List<String> orgs = params.get("org");
        if (orgs == null || orgs.size() != 1 || orgs.get(0).isEmpty()) {
            rc.answer(SignInPages.badRequest("sso_bad_login", "A sign-in names exactly one organisation (org=...)."));
            return false;
        }
        PolicySnapshot.Org org = snapshot.org(orgs.get(0));
        if (org == null) {
            rc.answer(LocalAnswer.page(HttpResponseStatus.NOT_FOUND, "Unknown organisation", "sso_unknown_org", List.of(),
                    "There is no organisation to sign in to by that name."));
            return false;
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
            return false;
        }
        String rd = handOver != null ? handOver.returnTo() : SignInFlow.sameOrigin(SignInFlow.one(params, "rd"));
        if (p == null && enabled.size() > 1 && providerName == null) {
            rc.answer(LocalAnswer.chooser(org.name(), enabled.stream().map(PolicySnapshot.SsoProvider::name).toList(), rd,
                    "sso_chooser"));
            return false;
        }
        if (p == null) {
            rc.answer(SignInPages.refused(HttpResponseStatus.SERVICE_UNAVAILABLE, "No sign-in provider", "sso_no_provider",
                    "Organisation " + org.name() + " has no enabled sign-in provider"
                    + (providerName == null ? "." : " named " + providerName + ".")));
            return false;
        }
        String authority = authority(in.head());
        String host = HostPattern.requestHost(authority);
        if (host.equals(sso.baseHost)) {
            PolicySnapshot.SsoProvider provider = p;
            hold(ctx, in, org.id(), () -> sso.flow.login(org, provider, rd, handOver));
            return true;
        }
        String base = sso.settings.publicBaseUrl() + LOGIN + "?org=" + enc(org.name()) + "&provider=" + enc(p.name());
        if (!sso.routedHost.test(host)) {
            rc.answer(LocalAnswer.redirect(base + "&rd=" + enc(rd), "sso_redirect", List.of()));
            return false;
        }
        String binding = SignInFlow.random();
        Instant until = now.plus(SignInFlow.SIGN_IN_TIME);
        String cookie = sso.sessions.sealHandOver(new HandOver(org.id(), binding, authority, rd, until), Sealed.HAND_OVER);
        String request = sso.sessions.sealHandOver(new HandOver(org.id(), Base64.getUrlEncoder().withoutPadding()
                .encodeToString(SignInFlow.sha256(binding)), authority, rd, until), Sealed.HAND_OVER_REQUEST);
        if (cookie == null || request == null) {
            rc.answer(SignInPages.refused(HttpResponseStatus.SERVICE_UNAVAILABLE, "Sign-in unavailable", "sso_no_key",
                    "This gateway has not reached its database yet; try again shortly."));
            return false;
        }
        rc.answer(LocalAnswer.redirect(base + "&hf=" + request, "sso_redirect", List.of(SignInCookies.set(
                SignInCookies.HAND_OVER, cookie, SignInFlow.SIGN_IN_TIME.toSeconds()))));
        return false;
    }

    /**
     * The provider's answer, at {@code /.gatehouse/callback/<provider id>} (or the shared path, for a provider
     * registered with it): it must match a sign-in begun in this browser (its cookie), for this very provider, once.
     * An answer that matches nothing is refused here, counted, and written nowhere.
     */
    private boolean callback(ChannelHandlerContext ctx, InboundRequest in, PolicySnapshot snapshot, String path,
                             Map<String, List<String>> params) {
        RequestContext rc = in.context();
        Instant now = Instant.now();
        SignInState tx = sso.sessions.openSignIn(SignInCookies.read(in.head(), SignInCookies.SIGN_IN), now);
        String state = SignInFlow.one(params, "state");
        if (tx == null) {
            sso.unmatchedCallbacks.increment();
            rc.answer(SignInPages.refused(HttpResponseStatus.BAD_REQUEST, "Sign-in expired", "sso_no_sign_in",
                    "This sign-in was not started in this browser, or took longer than ten minutes. Open the page again."));
            return false;
        }
        if (state == null || !MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8),
                tx.state().getBytes(StandardCharsets.UTF_8))) {
            sso.unmatchedCallbacks.increment();
            rc.answer(SignInPages.refused(HttpResponseStatus.BAD_REQUEST, "Sign-in refused", "sso_bad_state",
                    "The answer does not belong to this sign-in."));
            return false;
        }
        PolicySnapshot.Org org = snapshot.org(tx.orgId());
        PolicySnapshot.SsoProvider p = org == null ? null : org.provider(tx.providerId());
        if (p == null) {
            rc.answer(SignInPages.refused(HttpResponseStatus.FORBIDDEN, "Sign-in refused", "sso_provider_disabled",
                    "This sign-in provider is no longer enabled."));
            return false;
        }
        if (!path.equals(p.redirectPath())) {
            sso.unmatchedCallbacks.increment();
            log.warn("An answer for organisation {}'s provider {} came back to {}, not its own callback {}: refused"
                    + " (a mix-up of providers?)", org.name(), p.name(), path, p.redirectPath());
            rc.answer(SignInPages.refused(HttpResponseStatus.BAD_REQUEST, "Sign-in refused", "sso_wrong_callback",
                    "The answer came back for another sign-in provider than the one this sign-in was sent to."));
            return false;
        }
        if (!sso.firstAnswer(state, tx.expiresAt(), now)) {
            rc.answer(SignInPages.refused(HttpResponseStatus.BAD_REQUEST, "Sign-in refused", "sso_replayed_state",
                    "This sign-in was already answered."));
            return false;
        }
        String clientIp = rc.client() == null ? null : rc.client().toString();
        hold(ctx, in, org.id(), () -> sso.flow.callback(org, p, tx, params, clientIp));
        return true;
    }

    /** The app host's end of a hand-over: the code, with this host's binding cookie. */
    private boolean handOver(ChannelHandlerContext ctx, InboundRequest in, PolicySnapshot snapshot,
                             Map<String, List<String>> params) {
        RequestContext rc = in.context();
        String code = SignInFlow.one(params, "code");
        String authority = authority(in.head());
        HandOver binding = sso.sessions.openHandOver(SignInCookies.read(in.head(), SignInCookies.HAND_OVER),
                Sealed.HAND_OVER, Instant.now());
        if (code == null || binding == null || !binding.host().equals(authority)) {
            rc.answer(SignInPages.refused(HttpResponseStatus.BAD_REQUEST, "Sign-in expired", "sso_hand_over_refused",
                    "This sign-in was not started in this browser, or took too long. Open the page again."));
            return false;
        }
        hold(ctx, in, binding.orgId(), () -> sso.flow.redeem(code, binding, authority));
        return true;
    }

    /**
     * {@code /.gatehouse/logout}: a GET shows a page with a button; the POST it sends — from this site's own page only
     * ({@code Sec-Fetch-Site: same-origin}, else an {@code Origin} naming this host) — ends the session on every
     * replica and clears this browser's cookies.
     */
    private boolean logout(ChannelHandlerContext ctx, InboundRequest in, HttpMethod method) {
        RequestContext rc = in.context();
        if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) {
            rc.answer(SignInPages.confirmSignOut());
            return false;
        }
        if (!method.equals(HttpMethod.POST)) {
            rc.answer(LocalAnswer.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET or POST only", "sso_method"));
            return false;
        }
        if (!fromThisSite(in.head())) {
            rc.answer(LocalAnswer.page(HttpResponseStatus.FORBIDDEN, "Sign-out refused", "sso_cross_site", List.of(),
                    "A sign-out must come from this site's own sign-out page."));
            return false;
        }
        Session s = sso.sessions.open(SignInCookies.read(in.head(), SignInCookies.SESSION), Instant.now());
        List<Map.Entry<String, String>> clearing = SignInFlow.clearAll();
        if (s == null) {
            rc.answer(LocalAnswer.page(HttpResponseStatus.OK, "Signed out", "sso_signed_out", clearing,
                    "You are signed out of this site."));
            return false;
        }
        PolicySnapshot snapshot = sso.snapshots.get();
        PolicySnapshot.Org org = snapshot == null ? null : snapshot.org(s.orgId());
        String clientIp = rc.client() == null ? null : rc.client().toString();
        hold(ctx, in, s.orgId(), () -> sso.flow.signOut(s, org, clientIp, clearing));
        return true;
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

    private void hold(ChannelHandlerContext ctx, InboundRequest in, UUID org, Supplier<LocalAnswer> work) {
        waiting = true;
        boolean taken = sso.threads.submit(org, () -> {
            LocalAnswer answer;
            try {
                answer = work.get();
            } catch (RuntimeException e) {
                String uri = in.head().uri(); // logged without its query: a callback's carries the code
                log.error("Sign-in page {} failed on this gateway", uri.split("\\?", 2)[0], e);
                answer = LocalAnswer.page(HttpResponseStatus.INTERNAL_SERVER_ERROR, "Sign-in failed", "sso_failure",
                        List.of(), "Sign-in failed on this gateway; try again.");
            }
            LocalAnswer done = answer;
            ctx.executor().execute(() -> release(ctx, in, done));
        });
        if (!taken) {
            release(ctx, in, SignInPages.busy());
        }
    }

    /** On the event loop: the held request goes on with its answer, then what arrived meanwhile, in order. */
    private void release(ChannelHandlerContext ctx, InboundRequest in, LocalAnswer answer) {
        waiting = false;
        if (!ctx.channel().isActive()) {
            drop();
            return;
        }
        in.context().answer(answer);
        ctx.fireChannelRead(in);
        while (!waiting && !held.isEmpty()) {
            channelRead(ctx, held.poll());
        }
    }

    /** A route that requires sign-in: the session, or a way to get one. */
    private void enforce(InboundRequest in) {
        RequestContext rc = in.context();
        if (rc.route() == null) {
            return;
        }
        RouteBinding binding = rc.route().binding();
        if (!binding.signInPossible()) {
            return;
        }
        PolicySnapshot snapshot = sso.snapshots.get();
        PolicySnapshot.Org org = snapshot == null ? null : snapshot.org(binding.org());
        if (org == null) {
            return; // the policy check answers 503 (not loaded, or no such organisation)
        }
        boolean auto = binding.sso() == RouteBinding.Sso.AUTO;
        if (auto && !org.requireSso()) {
            return; // the common case: decided without looking at the providers
        }
        if (org.ssoBreakGlass()) {
            if (!auto) {
                sso.warnBreakGlass(rc.route().label(), org);
            }
            return; // disable-org-sso: every route of the organisation serves with the network policy only
        }
        boolean hasProvider = org.hasEnabledProvider();
        if (auto && !hasProvider) {
            return;
        }
        if (!hasProvider) {
            rc.deny(Denial.unavailable("this route requires sign-in, and its organisation has no enabled provider",
                    "sso_no_provider"));
            return;
        }
        HttpRequest head = in.head();
        Instant now = Instant.now();
        Sessions.Valid valid = sso.sessions.check(sso.sessions.open(SignInCookies.read(head, SignInCookies.SESSION), now),
                org, now);
        if (valid != null) {
            PolicySnapshot.Account a = valid.account();
            String assertion = sso.assertions.assertion(org.name(), a.id().toString(), a.name(), valid.session().email(),
                    rc.client() == null ? null : rc.client().toString(), rc.requestId(), binding.audience());
            String renewal = valid.renewal() == null ? null : SignInCookies.set(SignInCookies.SESSION, valid.renewal(),
                    valid.session().expiresAt().getEpochSecond() - now.getEpochSecond()).getValue();
            rc.signedIn(new RequestContext.SignedIn(a.id(), valid.session().email(), assertion, renewal));
            return;
        }
        String accept = head.headers().get(HttpHeaderNames.ACCEPT);
        boolean browser = (head.method().equals(HttpMethod.GET) || head.method().equals(HttpMethod.HEAD))
                && accept != null && accept.contains("text/html");
        if (browser) {
            rc.answer(LocalAnswer.redirect(LOGIN + "?org=" + enc(org.name()) + "&rd=" + enc(head.uri()),
                    "sso_required", List.of()));
        } else {
            rc.deny(Denial.unauthorized("sign-in required: open this address in a browser", "sso_required"));
        }
    }

    /** The request's Host as sent (validated as host[:port] by the request validator), lower case. */
    private static String authority(HttpRequest head) {
        String h = head.headers().get(HttpHeaderNames.HOST);
        return h == null ? "" : h.strip().toLowerCase(java.util.Locale.ROOT);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private void drop() {
        Object m;
        while ((m = held.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!waiting) {
            drop();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        drop();
    }
}
