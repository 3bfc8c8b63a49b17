package dev.gatehouse.gateway.console;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.admin.AccessEvents;
import dev.gatehouse.core.admin.Activity;
import dev.gatehouse.core.admin.AdminActions;
import dev.gatehouse.core.admin.AuditLog;
import dev.gatehouse.core.admin.Heartbeats;
import dev.gatehouse.core.admin.NotFound;
import dev.gatehouse.core.admin.Policies;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's pages by path, each made from core's administration code on the console's own pool, on the console's
 * page threads (never an event loop). A page that fails says why in one line; a signed-in admin's view is recorded
 * in admin_actions.
 */
final class ConsolePages {
    private static final Logger log = LoggerFactory.getLogger(ConsolePages.class);
    static final Duration SIGN_INS_WINDOW = Duration.ofDays(7);
    static final int SIGN_INS_LIMIT = 200;

    /** A request as the pages need it, copied off the Netty message before it is released. */
    record Ask(String path, Map<String, List<String>> params, String uri, boolean json) {
        /** The one value of {@code name}, trimmed; null when absent or empty. */
        String one(String name) {
            List<String> v = params.get(name);
            if (v == null || v.isEmpty()) {
                return null;
            }
            String s = v.get(v.size() - 1).trim();
            return s.isEmpty() ? null : s;
        }
    }

    private final Overview overview;
    private final AdminActions adminActions;
    private final AccessEvents events;
    private final RouteGuess routes;
    private final Why why;
    private final OrgPages orgs;
    private final AuditLog auditLog;

    ConsolePages(ConsoleServer.Sources sources, DataSource pool) {
        this.overview = new Overview(new Activity(pool), new Heartbeats(pool), sources.snapshots(), sources.audit());
        this.adminActions = new AdminActions(pool);
        this.events = new AccessEvents(pool);
        this.routes = new RouteGuess(sources.routes());
        this.orgs = new OrgPages(pool);
        this.auditLog = new AuditLog(pool);
        this.why = new Why(new Policies(pool, "console"), events, sources.snapshots(), sources.routes(), sources.hops());
    }

    /** The live tail of the denials page, on the same pool, asking {@code access} at each poll. */
    DenialTail tail(ConsoleAccess access) {
        return new DenialTail(events, adminActions, routes, access);
    }

    ConsoleAnswer answer(Ask ask, Viewer viewer) {
        ConsoleAnswer a;
        try {
            a = page(ask, viewer, Instant.now());
        } catch (NotFound e) {
            a = ConsoleAnswer.message(HttpResponseStatus.NOT_FOUND, viewer.name(), "Not found", null, null, e.getMessage());
        } catch (IllegalArgumentException e) {
            a = ConsoleAnswer.message(HttpResponseStatus.BAD_REQUEST, viewer.name(), "Bad request", null, null,
                    e.getMessage());
        } catch (GatehouseException e) {
            a = ConsoleAnswer.message(HttpResponseStatus.SERVICE_UNAVAILABLE, viewer.name(), "Database unavailable",
                    null, null, "The console could not read the database: " + e.getMessage());
        } catch (RuntimeException e) {
            log.error("Console page {} failed", ask.path(), e);
            a = ConsoleAnswer.message(HttpResponseStatus.INTERNAL_SERVER_ERROR, viewer.name(), "Page failed", null,
                    null, "This page failed on this gateway (logged).");
        }
        if (viewer.signedIn() && a.status.code() < 500) {
            try {
                adminActions.recordView(viewer.name(), ask.uri(), viewer.clientIp());
            } catch (RuntimeException e) {
                log.warn("Console page view not recorded in admin_actions: {}", e.getMessage());
            }
        }
        return a;
    }

    private ConsoleAnswer page(Ask ask, Viewer viewer, Instant now) {
        return switch (ask.path()) {
            case "/" -> ConsoleAnswer.page(HttpResponseStatus.OK, "overview.jte", "page", overview.build(now),
                    "viewer", viewer.name());
            case "/denials" -> ConsoleAnswer.page(HttpResponseStatus.OK, "denials.jte", "page", denials(ask, now),
                    "viewer", viewer.name());
            case "/why" -> {
                WhyView v = why.explain(ask, now);
                yield ask.json() ? ConsoleAnswer.json(HttpResponseStatus.OK, Why.json(v))
                        : ConsoleAnswer.page(HttpResponseStatus.OK, "why.jte", "page", v, "viewer", viewer.name());
            }
            case "/orgs" -> ConsoleAnswer.page(HttpResponseStatus.OK, "orgs.jte", "orgs", orgs.list(),
                    "viewer", viewer.name());
            case "/sign-ins" -> ConsoleAnswer.page(HttpResponseStatus.OK, "signins.jte", "page", signIns(ask, now),
                    "viewer", viewer.name());
            default -> ask.path().startsWith("/orgs/") && ask.path().length() > "/orgs/".length()
                    ? ConsoleAnswer.page(HttpResponseStatus.OK, "org.jte", "page",
                    orgs.show(ask.path().substring("/orgs/".length()), now), // path(): decoded already
                    "viewer", viewer.name())
                    : ConsoleAnswer.message(HttpResponseStatus.NOT_FOUND, viewer.name(), "No such page", "/",
                    "Overview", "The console has no page " + ask.path() + ".");
        };
    }

    /** Sign-in events of one organisation or all, newest first, within the window (7 days unless since=). */
    private SignInsView signIns(Ask ask, Instant now) {
        String org = ask.one("org");
        String since = ask.one("since");
        Instant from = since == null ? now.minus(SIGN_INS_WINDOW) : DenialFilter.since(since, now);
        if (from.isBefore(now.minus(DenialFilter.MAX_WINDOW))) {
            throw new IllegalArgumentException("since: the console reads at most " + DenialFilter.MAX_WINDOW.toDays()
                    + " days at once");
        }
        List<AuditLog.OrgSignInEvent> events = org == null ? auditLog.signIns(from, SIGN_INS_LIMIT)
                : auditLog.signIns(org, from, SIGN_INS_LIMIT).stream().map(e -> new AuditLog.OrgSignInEvent(e.time(), org,
                e.event(), e.email(), e.account(), e.provider(), e.clientIp(), e.reason())).toList();
        return new SignInsView(org == null ? "" : org, since == null ? "" : since, events,
                events.size() >= SIGN_INS_LIMIT, SIGN_INS_LIMIT);
    }

    /** The denials matching the filters, newest first; the tail goes on after the newest. */
    private DenialsView denials(Ask ask, Instant now) {
        DenialFilter f = DenialFilter.from(ask, now);
        List<AccessEvents.Event> rows = events.denials(f.filter());
        String after = rows.isEmpty() ? null
                : DenialTail.id(new AccessEvents.Cursor(rows.get(0).time(), rows.get(0).eventId()));
        String q = f.query();
        String stream = DenialTail.PATH + "?" + q + (after == null ? "" : (q.isEmpty() ? "" : "&") + "after=" + after);
        return new DenialsView(f.value("org"), f.value("ip"), f.value("account"), f.value("path"), f.value("since"),
                f.value("until"), rows.stream().map(e -> DenialsView.Row.of(e, routes)).toList(), stream,
                rows.size() >= f.filter().limit(), f.filter().limit());
    }
}
