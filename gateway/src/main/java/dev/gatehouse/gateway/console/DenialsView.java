package dev.gatehouse.gateway.console;

import dev.gatehouse.core.admin.AccessEvents;
import java.util.List;

/**
 * What the denials page ({@code /denials}) shows: the filters as given, the rows newest first, and where the live tail
 * goes on from.
 *
 * @param stream the live tail's address: the same filters, after the newest row shown
 * @param full   the page holds as many rows as it may: older ones are beyond it
 */
public record DenialsView(String org, String ip, String account, String path, String since, String until,
                          List<Row> rows, String stream, boolean full, int limit) {

    /**
     * One denial as shown.
     *
     * @param hops  the hops as the audit row keeps them: the peer that connected and the client the gateway chose
     * @param route the route of the organisation the path falls under (the row keeps no host)
     */
    public record Row(String time, String org, String clientIp, String hops, String route, String app, String account,
                      String method, String path, String userAgent, String reason, String requestId, String why,
                      long count) {

        static Row of(AccessEvents.Event e, RouteGuess routes) {
            return new Row(ConsoleFormat.time(e.time()), e.org(), e.clientIp(), hops(e.peer(), e.clientIp()),
                    routes.label(e.org(), e.app(), e.path()), nz(e.app()), nz(e.account()), nz(e.method()),
                    nz(e.path()), nz(e.userAgent()), e.reason(), nz(e.requestId()), e.requestId() == null ? ""
                    : "/why?request-id=" + ConsoleFormat.query(e.requestId()) + "&org=" + ConsoleFormat.query(e.org()),
                    e.count());
        }

        static String hops(String peer, String client) {
            if (peer == null || peer.equals(client)) {
                return "direct from " + client;
            }
            return client + " via " + peer;
        }

        private static String nz(String s) {
            return s == null ? "" : s;
        }
    }
}
