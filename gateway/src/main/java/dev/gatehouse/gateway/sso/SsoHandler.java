package dev.gatehouse.gateway.sso;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.core.route.RouteBinding;
import dev.gatehouse.gateway.request.Denial;
import dev.gatehouse.gateway.request.InboundRequest;
import dev.gatehouse.gateway.request.LocalAnswer;
import dev.gatehouse.gateway.request.RequestContext;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.util.ReferenceCountUtil;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-in, after routing and before the network policy. A request on a route whose organisation requires sign-in
 * (or {@code sso = required}) passes with its signed-in account when its session cookie opens and still matches the
 * snapshot (account, enabled provider); otherwise a browser is sent to sign in and anything else gets 401. The
 * gateway's own pages under {@code /.gatehouse/} are answered here on every route: login and callback run on the
 * sign-in threads (they wait on the provider) while this connection's later messages wait, in order.
 *
 * <p>One per connection (it holds the connection's waiting messages); reads only memory on the event loop.
 */
public final class SsoHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(SsoHandler.class);
    static final String PREFIX = "/.gatehouse/";

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
                    if (reserved(ctx, in, path)) {
                        return; // answered later, on the event loop
                    }
                } catch (IllegalArgumentException badQuery) { // a malformed %-escape in the query
                    in.context().answer(LocalAnswer.error(HttpResponseStatus.BAD_REQUEST, "malformed query",
                            "sso_bad_query"));
                }
            } else {
                enforce(in);
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** The gateway's pages; true when the answer comes later (the message is held). */
    private boolean reserved(ChannelHandlerContext ctx, InboundRequest in, String path) {
        RequestContext rc = in.context();
        HttpRequest head = in.head();
        boolean get = head.method().equals(HttpMethod.GET) || head.method().equals(HttpMethod.HEAD);
        QueryStringDecoder q = new QueryStringDecoder(head.uri());
        Map<String, List<String>> params = q.parameters(); // decoded now: a malformed escape is a 400 here
        switch (path) {
            case "/.gatehouse/jwks.json" -> rc.answer(LocalAnswer.jsonDocument(sso.assertions.jwks(), "sso_jwks"));
            case "/.gatehouse/logout" -> {
                String session = cookie(head, SignInFlow.SESSION_COOKIE);
                String clientIp = rc.client() == null ? null : rc.client().toString();
                if (session != null) {
                    try {
                        sso.signIns.execute(() -> sso.flow.signedOut(session, clientIp)); // recorded off the event loop
                    } catch (RejectedExecutionException busy) {
                        // the sign-out itself never waits on its record
                    }
                }
                rc.answer(LocalAnswer.page(HttpResponseStatus.OK, "Signed out", "sso_signed_out",
                        List.of(SignInFlow.clear(SignInFlow.SESSION_COOKIE)), "You are signed out of this site."));
            }
            case "/.gatehouse/login", "/.gatehouse/callback" -> {
                if (!get) {
                    rc.answer(LocalAnswer.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only", "sso_method"));
                    return false;
                }
                PolicySnapshot snapshot = sso.snapshots.get();
                if (snapshot == null) {
                    rc.deny(Denial.unavailable("network policies are not loaded yet; try again shortly", "policies_not_loaded"));
                    return false;
                }
                String clientIp = rc.client() == null ? "-" : rc.client().toString();
                Supplier<LocalAnswer> work;
                if (path.equals("/.gatehouse/login")) {
                    PolicySnapshot.Org org = snapshot.org(one(q, "org"));
                    if (org == null) {
                        rc.answer(LocalAnswer.page(HttpResponseStatus.NOT_FOUND, "Unknown organisation", "sso_unknown_org",
                                List.of(), "There is no organisation to sign in to by that name."));
                        return false;
                    }
                    String provider = one(q, "provider");
                    String rd = one(q, "rd");
                    work = () -> sso.flow.login(org, provider, rd);
                } else {
                    String cookie = cookie(head, SignInFlow.SIGN_IN_COOKIE);
                    work = () -> sso.flow.callback(snapshot, params, cookie, clientIp);
                }
                hold(ctx, in, work);
                return true;
            }
            default -> rc.answer(LocalAnswer.error(HttpResponseStatus.NOT_FOUND, "no such gatehouse page", "sso_not_found"));
        }
        return false;
    }

    private void hold(ChannelHandlerContext ctx, InboundRequest in, Supplier<LocalAnswer> work) {
        waiting = true;
        try {
            sso.signIns.execute(() -> {
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
        } catch (RejectedExecutionException busy) {
            release(ctx, in, LocalAnswer.page(HttpResponseStatus.SERVICE_UNAVAILABLE, "Sign-in busy", "sso_busy",
                    List.of(), "Too many sign-ins at once; try again in a moment."));
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
        RouteBinding binding = rc.route().route().binding();
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
        boolean hasProvider = org.hasEnabledProvider();
        if (auto && !hasProvider) {
            return;
        }
        if (!hasProvider) {
            rc.deny(Denial.unavailable("this route requires sign-in, and its organisation has no enabled provider",
                    "sso_no_provider"));
            return;
        }
        RequestContext.SignedIn who = session(in.head(), org, rc);
        if (who != null) {
            rc.signedIn(who);
            return;
        }
        HttpRequest head = in.head();
        String accept = head.headers().get(HttpHeaderNames.ACCEPT);
        boolean browser = (head.method().equals(HttpMethod.GET) || head.method().equals(HttpMethod.HEAD))
                && accept != null && accept.contains("text/html");
        if (browser) {
            rc.answer(LocalAnswer.redirect("/.gatehouse/login?org=" + enc(org.name()) + "&rd=" + enc(head.uri()),
                    "sso_required", List.of()));
        } else {
            rc.deny(Denial.unauthorized("sign-in required: open this address in a browser", "sso_required"));
        }
    }

    /** The signed-in account, when the session cookie opens and still holds against the snapshot; null otherwise. */
    private RequestContext.SignedIn session(HttpRequest head, PolicySnapshot.Org org, RequestContext rc) {
        Instant now = Instant.now();
        JWTClaimsSet s = sso.session(cookie(head, SignInFlow.SESSION_COOKIE), now);
        if (s == null || !org.id().toString().equals(s.getClaim("org"))) {
            return null;
        }
        try {
            UUID providerId = UUID.fromString((String) s.getClaim("prv"));
            PolicySnapshot.SsoProvider p = org.provider(providerId);
            PolicySnapshot.Account a = org.accounts().get(UUID.fromString(s.getSubject()));
            if (p == null || !p.enabled() || !SignInFlow.fingerprint(p).equals(s.getClaim("pcf")) || a == null
                    || !a.kind().equals("member")) {
                return null; // the provider was disabled or changed, or the account removed: the session is over
            }
            Object lastSeen = s.getClaim("lst");
            if (!(lastSeen instanceof Number n) || now.getEpochSecond() - n.longValue() > sso.idleTimeout.toSeconds()) {
                return null; // unused longer than the idle timeout
            }
            String renewal = null;
            if (now.getEpochSecond() - n.longValue() >= Math.max(1, sso.idleTimeout.toSeconds() / 4)) {
                String renewed = Sealed.seal(sso.keys, Sealed.SESSION, new JWTClaimsSet.Builder(s)
                        .claim("lst", now.getEpochSecond()).build());
                long left = s.getExpirationTime().toInstant().getEpochSecond() - now.getEpochSecond();
                renewal = renewed == null ? null : SignInFlow.cookie(SignInFlow.SESSION_COOKIE, renewed, left).getValue();
            }
            String email = (String) s.getClaim("eml");
            String assertion = sso.assertions.assertion(org.name(), a.id().toString(), a.name(), email,
                    rc.client() == null ? null : rc.client().toString(), rc.requestId());
            return new RequestContext.SignedIn(a.id(), email, assertion, renewal);
        } catch (IllegalArgumentException | ClassCastException e) {
            return null;
        }
    }

    static String cookie(HttpRequest head, String name) {
        String found = null;
        for (String header : head.headers().getAll(HttpHeaderNames.COOKIE)) {
            for (Cookie c : ServerCookieDecoder.STRICT.decodeAll(header)) {
                if (c.name().equals(name)) {
                    if (found != null) {
                        return null; // two: neither is trusted
                    }
                    found = c.value();
                }
            }
        }
        return found;
    }

    private static String one(QueryStringDecoder q, String name) {
        List<String> v = q.parameters().get(name);
        return v == null || v.size() != 1 ? null : v.get(0);
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
