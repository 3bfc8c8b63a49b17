package dev.gatehouse.gateway.console;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.admin.AccessEvents;
import dev.gatehouse.core.admin.AdminActions;
import dev.gatehouse.core.admin.NotFound;
import dev.gatehouse.core.util.Json;
import dev.gatehouse.gateway.timers.DaemonScheduler;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The denials' live tail: server-sent events ({@code GET /denials/stream}, with the page's filters), one event per
 * denial, in (time, event id) order. Each event's id is its place in that order, so a browser that reconnects sends
 * it back ({@code Last-Event-ID}) and the tail goes on after it: no row twice, none skipped among those written by
 * then.
 *
 * <p>A row is sent only once {@link #SETTLE} has passed since its time: other replicas write their batches a few
 * hundred milliseconds after the requests, and a row that arrived after a later one had been sent would otherwise be
 * passed over. (A spool replayed after a database outage writes rows older than that: they are on the page, not in a
 * tail that was open meanwhile.) The queries run on a thread of their own, every {@link #POLL}, at most
 * {@link #MAX_STREAMS} streams at once; the events are written on the channel's event loop, and not read further
 * while the connection cannot take them. Each poll asks {@link ConsoleAccess} again with the stream's request: a session
 * that ends meanwhile ends the stream.
 */
final class DenialTail implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DenialTail.class);
    static final String PATH = "/denials/stream";
    static final Duration POLL = Duration.ofSeconds(1);
    static final Duration SETTLE = Duration.ofSeconds(2);
    static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    static final int MAX_STREAMS = 8;
    /** Streams one viewer (one signed-in admin, or loopback) may hold at once. */
    static final int MAX_STREAMS_PER_VIEWER = 4;
    static final int BATCH = 100;

    private final AccessEvents events;
    private final AdminActions adminActions;
    private final RouteGuess routes;
    private final ConsoleAccess access;
    private final ScheduledExecutorService timer = DaemonScheduler.named("gatehouse-console-tail");
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> perViewer = new ConcurrentHashMap<>();

    DenialTail(AccessEvents events, AdminActions adminActions, RouteGuess routes, ConsoleAccess access) {
        this.events = events;
        this.adminActions = adminActions;
        this.routes = routes;
        this.access = access;
    }

    /** One event as the page's script reads it. */
    record Event(String time, String org, String clientIp, String hops, String route, String app, String account,
                 String method, String path, String userAgent, String reason, String requestId, String why, long count) {
    }

    /** Answers the request with the stream, or with why not (a bad filter: 400; too many streams: 503). */
    void open(ChannelHandlerContext ctx, HttpRequest req, ConsolePages.Ask ask, Viewer viewer) {
        Instant now = Instant.now();
        DenialFilter filter;
        try {
            filter = DenialFilter.from(ask, now);
        } catch (IllegalArgumentException e) {
            refuse(ctx, ConsoleAnswer.message(HttpResponseStatus.BAD_REQUEST, viewer.name(), "Bad request", null, null,
                    e.getMessage()));
            return;
        }
        AccessEvents.Cursor from = cursor(req.headers().get("Last-Event-ID"));
        if (from == null) {
            from = cursor(ask.one("after"));
        }
        from = clamp(from, filter.filter().since(), now);
        if (open.incrementAndGet() > MAX_STREAMS) {
            open.decrementAndGet();
            refuse(ctx, ConsoleAnswer.message(HttpResponseStatus.SERVICE_UNAVAILABLE, viewer.name(), "Busy", null, null,
                    "The console has as many live tails open as it serves at once.").with("Retry-After", "10"));
            return;
        }
        if (perViewer.merge(viewer.name(), 1, Integer::sum) > MAX_STREAMS_PER_VIEWER) {
            release(viewer);
            open.decrementAndGet();
            refuse(ctx, ConsoleAnswer.message(HttpResponseStatus.TOO_MANY_REQUESTS, viewer.name(), "Too many live tails",
                    null, null, "At most " + MAX_STREAMS_PER_VIEWER + " live tails at once for " + viewer.name()
                            + "; close one (another tab) first.").with("Retry-After", "10"));
            return;
        }
        ctx.channel().attr(ConsoleGate.STREAMING).set(true); // no further request on this connection
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set("X-Content-Type-Options", "nosniff")
                .set("X-Accel-Buffering", "no"); // nginx in front: pass each event on at once
        HttpUtil.setTransferEncodingChunked(head, true);
        ctx.write(head);
        ctx.writeAndFlush(new DefaultHttpContent(ByteBufUtil.writeUtf8(ctx.alloc(), "retry: 2000\n: denials\n\n")));
        // the head as it came (its cookie, its forwarding headers), to ask again at each poll: a session revoked,
        // signed out or idle, or an admin no longer one, ends the stream as it would refuse a page
        HttpRequest asked = new DefaultHttpRequest(req.protocolVersion(), req.method(), req.uri(), req.headers().copy());
        Stream s = new Stream(ctx, filter, from, viewer, asked);
        s.future = timer.scheduleWithFixedDelay(s::poll, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
        ctx.channel().closeFuture().addListener(f -> s.stop());
    }

    private void release(Viewer viewer) {
        perViewer.computeIfPresent(viewer.name(), (k, n) -> n <= 1 ? null : n - 1);
    }

    private static void refuse(ChannelHandlerContext ctx, ConsoleAnswer a) {
        ctx.writeAndFlush(a.response(ctx.alloc(), false, true));
    }

    /** {@code <microseconds since the epoch>_<event id>}, the event ids the stream sends; null when absent or not one. */
    static AccessEvents.Cursor cursor(String id) {
        if (id == null) {
            return null;
        }
        int cut = id.indexOf('_');
        try {
            long micros = Long.parseLong(id.substring(0, cut));
            return new AccessEvents.Cursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), UUID.fromString(id.substring(cut + 1)));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Where a stream starts: the cursor given (Last-Event-ID, {@code after=}) kept within the filter's window and
     * {@link DenialFilter#MAX_WINDOW} — never before {@code max(since, now - MAX_WINDOW)}, never after now — or, none
     * given, {@link #SETTLE} ago.
     */
    static AccessEvents.Cursor clamp(AccessEvents.Cursor c, Instant since, Instant now) {
        if (c == null) {
            c = new AccessEvents.Cursor(now.minus(SETTLE), FIRST);
        }
        Instant floor = now.minus(DenialFilter.MAX_WINDOW);
        if (since != null && since.isAfter(floor)) {
            floor = since;
        }
        if (c.time().isBefore(floor)) {
            return new AccessEvents.Cursor(floor, FIRST);
        }
        if (c.time().isAfter(now)) {
            return new AccessEvents.Cursor(now, FIRST);
        }
        return c;
    }

    /** The least event id: a cursor at (t, FIRST) comes before every row of time t. */
    private static final UUID FIRST = new UUID(0, 0);

    static String id(AccessEvents.Cursor c) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, c.time()) + "_" + c.eventId();
    }

    /** One open stream; its state is touched by the tail's thread only. */
    private final class Stream {
        final ChannelHandlerContext ctx;
        final DenialFilter filter;
        final Viewer viewer;
        final HttpRequest asked;
        final AccessEvents.Filter query;
        AccessEvents.Cursor cursor;
        long lastWrite = System.nanoTime();
        boolean recorded;
        volatile ScheduledFuture<?> future;
        private final AtomicInteger stopped = new AtomicInteger();

        Stream(ChannelHandlerContext ctx, DenialFilter filter, AccessEvents.Cursor cursor, Viewer viewer,
               HttpRequest asked) {
            this.ctx = ctx;
            this.asked = asked;
            this.filter = filter;
            this.cursor = cursor;
            AccessEvents.Filter f = filter.filter();
            this.query = new AccessEvents.Filter(f.org(), f.network(), f.account(), f.pathPrefix(), f.since(), f.until(),
                    BATCH);
            this.viewer = viewer;
        }

        /**
         * One poll; anything unexpected ends the stream (logged once): a poll that threw would otherwise stop being
         * scheduled silently, and with it the stream's access re-check.
         */
        void poll() {
            try {
                pollOnce();
            } catch (RuntimeException e) {
                log.warn("Console live tail ended by an unexpected error: {}", e.toString());
                log.debug("Console live tail error", e);
                ctx.channel().close();
                stop();
            }
        }

        private void pollOnce() {
            if (stopped.get() != 0) {
                future.cancel(false); // stopped before the first poll had its future
                return;
            }
            if (!ctx.channel().isActive()) {
                stop();
                return;
            }
            if (access.admit(asked, (InetSocketAddress) ctx.channel().remoteAddress()) instanceof ConsoleAccess.Refused) {
                ctx.channel().close();
                stop();
                return;
            }
            if (!recorded && viewer.signedIn()) {
                recorded = true;
                try {
                    adminActions.recordView(viewer.name(), PATH + (filter.query().isEmpty() ? "" : "?" + filter.query()),
                            viewer.clientIp());
                } catch (RuntimeException e) {
                    log.warn("Console page view not recorded in admin_actions: {}", e.getMessage());
                }
            }
            if (!ctx.channel().isWritable() || filter.filter().until() != null) {
                keepAlive(); // a slow reader waits; a window with an end has nothing live to send
                return;
            }
            List<AccessEvents.Event> rows;
            Instant settled = Instant.now().minus(SETTLE);
            try {
                rows = events.denialsAfter(query, cursor, settled);
            } catch (NotFound e) { // the organisation was removed: nothing more to tail
                throw e;
            } catch (GatehouseException e) { // the database away: try again at the next poll, from the same place
                keepAlive();
                return;
            }
            // fewer than a batch: every row before settled is sent, so the next poll starts there (a filter matching
            // nothing would otherwise scan an ever longer range from the same place)
            boolean caughtUp = rows.size() < BATCH;
            if (rows.isEmpty()) {
                if (caughtUp && settled.isAfter(cursor.time())) {
                    cursor = new AccessEvents.Cursor(settled, FIRST);
                }
                keepAlive();
                return;
            }
            StringBuilder out = new StringBuilder();
            for (AccessEvents.Event e : rows) {
                cursor = new AccessEvents.Cursor(e.time(), e.eventId());
                DenialsView.Row r = DenialsView.Row.of(e, routes);
                out.append("id: ").append(id(cursor)).append("\nevent: denial\ndata: ").append(Json.write(new Event(
                        r.time(), r.org(), r.clientIp(), r.hops(), r.route(), r.app(), r.account(), r.method(), r.path(),
                        r.userAgent(), r.reason(), r.requestId(), r.why(), r.count()))).append("\n\n");
            }
            if (caughtUp && settled.isAfter(cursor.time())) {
                cursor = new AccessEvents.Cursor(settled, FIRST);
            }
            send(out.toString());
        }

        /** A comment, with the cursor as the last event id: a reconnect resumes where the tail had looked. */
        private void keepAlive() {
            if (System.nanoTime() - lastWrite > KEEP_ALIVE.toNanos()) {
                send(": keep-alive\nid: " + id(cursor) + "\n\n");
            }
        }

        private void send(String text) {
            lastWrite = System.nanoTime();
            ctx.executor().execute(() -> {
                if (ctx.channel().isActive()) {
                    ctx.writeAndFlush(new DefaultHttpContent(ByteBufUtil.writeUtf8(ctx.alloc(), text)));
                }
            });
        }

        void stop() {
            if (stopped.compareAndSet(0, 1)) {
                open.decrementAndGet();
                release(viewer);
                ScheduledFuture<?> f = future;
                if (f != null) {
                    f.cancel(false);
                }
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
