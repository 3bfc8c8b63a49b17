package dev.gatehouse.gateway.sso;

import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.core.route.RouteBinding;
import dev.gatehouse.gateway.request.Denial;
import dev.gatehouse.gateway.request.InboundRequest;
import dev.gatehouse.gateway.request.LocalAnswer;
import dev.gatehouse.gateway.request.RequestContext;
import dev.gatehouse.gateway.sso.session.Sessions;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
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

    private final SingleSignOn sso;
    private final GatehousePages pages;
    /**
     * Messages held at most behind a waiting sign-in page. The listener reads only on demand (AUTO_READ off), so what
     * arrives meanwhile is one read's worth — a pipelined request or a body's pieces; more is a client abusing the wait,
     * and its connection is closed.
     */
    static final int HELD_MAX = 64;

    private final ArrayDeque<Object> held = new ArrayDeque<>();
    private boolean waiting;

    public SsoHandler(SingleSignOn sso) {
        this.sso = sso;
        this.pages = new GatehousePages(sso);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (waiting) {
            held.add(msg);
            if (held.size() > HELD_MAX) {
                log.debug("connection {} sent more than {} messages behind a sign-in page: closed", ctx.channel(),
                        HELD_MAX);
                drop();
                ctx.close();
            }
            return;
        }
        if (msg instanceof InboundRequest in && in.context().rejection() == null) {
            String uri = in.head().uri(); // origin-form, dot-segments resolved (RequestValidator); never decoded here
            int q = uri.indexOf('?');
            String path = q < 0 ? uri : uri.substring(0, q);
            if (path.startsWith(GatehousePages.PREFIX)) {
                try {
                    GatehousePages.Deferred later = pages.page(in, path);
                    if (later != null) {
                        hold(ctx, in, later.org(), later.work());
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

    /**
     * Runs the page's work on the sign-in threads and answers on the event loop; the connection's later messages wait.
     * Whatever happens to the work — done, thrown, refused, or dropped at shutdown — the request is released.
     */
    private void hold(ChannelHandlerContext ctx, InboundRequest in, UUID org, Supplier<LocalAnswer> work) {
        waiting = true;
        boolean taken = sso.threads.submit(org, () -> {
            LocalAnswer answer;
            try {
                answer = work.get();
            } catch (Throwable e) {
                String uri = in.head().uri(); // logged without its query: a callback's carries the code
                log.error("Sign-in page {} failed on this gateway", uri.split("\\?", 2)[0], e);
                answer = LocalAnswer.page(HttpResponseStatus.INTERNAL_SERVER_ERROR, "Sign-in failed", "sso_failure",
                        List.of(), "Sign-in failed on this gateway; try again.");
            }
            LocalAnswer done = answer;
            ctx.executor().execute(() -> release(ctx, in, done));
        }, () -> ctx.executor().execute(() -> release(ctx, in, SignInPages.busy())));
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
            rc.answer(LocalAnswer.redirect(GatehousePages.LOGIN + "?org=" + GatehousePages.enc(org.name()) + "&rd=" + GatehousePages.enc(head.uri()),
                    "sso_required", List.of()));
        } else {
            rc.deny(Denial.unauthorized("sign-in required: open this address in a browser", "sso_required"));
        }
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
