package dev.gatehouse.gateway.console;

import dev.gatehouse.core.admin.AccessEvents;
import dev.gatehouse.core.admin.Policies;
import dev.gatehouse.core.clientip.ClientIpResolver;
import dev.gatehouse.core.clientip.ClientIpResult;
import dev.gatehouse.core.clientip.ClientIpSettings;
import dev.gatehouse.core.net.InvalidAddressException;
import dev.gatehouse.core.net.IpAddress;
import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.core.route.HostPattern;
import dev.gatehouse.core.route.Route;
import dev.gatehouse.core.route.RouteBinding;
import dev.gatehouse.core.route.RouteExplanation;
import dev.gatehouse.gateway.clientip.TrustedHops;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code /why}: one request's whole decision, in the order the gateway takes it — the route
 * ({@link RouteExplanation}, as {@code gatehouse-admin route explain}), the client address
 * ({@link ClientIpResolver#explain}, with the gateway's own trust, as {@code client-ip explain}), the organisation's
 * policies ({@link Policies#check}, as {@code policy check}) and whether sign-in is asked. The same core code the
 * command line calls, so the page and the command line cannot disagree ({@code ConsoleWhyParityIT} runs both).
 *
 * <p>Asked with {@code org}, {@code ip} and optionally {@code path}, {@code host}, {@code account}, {@code peer} and
 * {@code h} (a header line, repeatable); or with {@code request-id} (and optionally {@code org}, {@code since}), from
 * the audit log's row. The row keeps no host and no forwarding headers: the trace says what stands in for them.
 */
final class Why {
    static final Duration REQUEST_WINDOW = Duration.ofHours(24);

    private final Policies policies;
    private final AccessEvents events;
    private final Supplier<PolicySnapshot> snapshots;
    private final List<Route> routes;
    private final TrustedHops hops;

    Why(Policies policies, AccessEvents events, Supplier<PolicySnapshot> snapshots, List<Route> routes, TrustedHops hops) {
        this.policies = policies;
        this.events = events;
        this.snapshots = snapshots;
        this.routes = List.copyOf(routes);
        this.hops = hops;
    }

    WhyView explain(ConsolePages.Ask ask, Instant now) {
        List<String> headerLines = ask.params().getOrDefault("h", List.of()).stream().flatMap(String::lines).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
        WhyView.Form form = new WhyView.Form(v(ask.one("org")), v(ask.one("ip")), v(ask.one("path")), v(ask.one("host")),
                v(ask.one("account")), v(ask.one("peer")), String.join("\n", headerLines), v(ask.one("request-id")));
        List<String> notes = new ArrayList<>();
        String org = ask.one("org");
        String path = ask.one("path");
        String host = ask.one("host");
        String account = ask.one("account");
        WhyView.Recorded recorded = null;
        IpAddress peer;
        Map<String, List<String>> headers = headers(headerLines);
        boolean reconstructed = false;
        if (ask.one("request-id") != null) {
            String since = ask.one("since");
            Instant from = since == null ? now.minus(REQUEST_WINDOW) : DenialFilter.since(since, now);
            if (from.isBefore(now.minus(DenialFilter.MAX_WINDOW))) {
                throw new IllegalArgumentException("since: at most " + DenialFilter.MAX_WINDOW.toDays() + " days");
            }
            List<AccessEvents.Event> found = events.request(ask.one("request-id"), org, from, 2);
            if (found.isEmpty()) {
                notes.add("No request with this id in the audit log since " + ConsoleFormat.time(from)
                        + (org == null ? "" : " for " + org) + " (only policy-checked requests are recorded; add"
                        + " since=7d to look further back).");
                return new WhyView(form, true, null, "not found", false, null, null, null, null, notes);
            }
            if (found.size() > 1) {
                notes.add("Several requests carry this id (a proxy's X-Request-Id reused): the newest is explained.");
            }
            AccessEvents.Event e = found.get(0);
            recorded = new WhyView.Recorded(ConsoleFormat.time(e.time()), e.org(), nz(e.app()), nz(e.account()),
                    e.decision(), e.status() == null ? "" : e.status().toString(), e.reason(), e.clientIp(), nz(e.peer()),
                    nz(e.method()), nz(e.path()), nz(e.userAgent()));
            org = e.org();
            path = e.path();
            account = account != null ? account : e.account();
            peer = IpAddress.parse(e.peer() != null ? e.peer() : e.clientIp());
            if (!peer.toString().equals(e.clientIp())) {
                String name = hops.resolver().settings().headers().isEmpty() ? ClientIpSettings.X_FORWARDED_FOR
                        : hops.resolver().settings().headers().get(0);
                headers = Map.of(name, List.of(e.clientIp()));
                reconstructed = true;
            }
            if (host == null) {
                notes.add("The audit log keeps no host: routes are judged as for a request without one (add host= to"
                        + " judge host-routed routes).");
            }
            notes.add("The policies are evaluated as they stand now; the row records what was decided then.");
        } else {
            String ip = ask.one("ip");
            String p = ask.one("peer");
            if (ip == null && p == null) {
                return new WhyView(form, false, null, "", false, null, null, null, null, notes);
            }
            peer = address(p != null ? p : ip, p != null ? "peer" : "ip");
            if (p == null && !headers.isEmpty()) {
                notes.add("The headers are judged as received from " + peer + " (give peer= for the hop that connected).");
            }
        }

        WhyView.Route route = null;
        RouteBinding binding = null;
        if (path != null) {
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("path: expected a path starting with '/'");
            }
            if (host != null && !HostPattern.validHostHeader(host)) {
                throw new IllegalArgumentException("host: '" + host + "' is not a host[:port], as a Host header must be");
            }
            RouteExplanation r = RouteExplanation.of(routes, host, path);
            Route won = r.winner() == null ? null : routes.get(r.winner());
            binding = won == null ? null : won.binding();
            WhyView.Explained json = new WhyView.Explained(r.host(), r.path(), r.winner(),
                    won == null ? null : won.upstreams().stream().map(Object::toString).toList(),
                    won == null ? null : won.binding().describe(), r.routes());
            route = new WhyView.Route(r, won == null ? "no route matches: the gateway answers 404"
                    : "routes[" + r.winner() + "] " + won.label() + " -> " + json.upstreams() + " (" + json.binding() + ")",
                    json);
            if (org == null && binding != null && binding.org() != null) {
                org = binding.org();
            }
        }

        ClientIpResolver resolver = hops.resolver();
        Map<String, List<String>> h = headers;
        ClientIpResult result = resolver.explain(peer, name -> h.getOrDefault(name.toLowerCase(Locale.ROOT), List.of()));
        StringBuilder headerText = new StringBuilder();
        headers.forEach((k, vs) -> vs.forEach(val -> headerText.append(headerText.length() == 0 ? "" : "\n")
                .append(k).append(": ").append(val)));
        WhyView.Client client = new WhyView.Client(result, headerText.toString(), reconstructed);
        if (reconstructed) {
            notes.add("The audit log keeps the peer and the client, not the forwarding headers: the chain shown is the"
                    + " shortest that gives this client (" + headerText + "), to show how the gateway's trust treats"
                    + " the peer.");
        }
        if (recorded == null && ask.one("ip") != null && !result.rejected() && ask.one("peer") != null
                && !result.client().toString().equals(address(ask.one("ip"), "ip").toString())) {
            notes.add("The chain gives the client " + result.client() + ", not the ip asked: the policies are checked for "
                    + result.client() + ".");
        }

        WhyView.Policy policy = null;
        if (org != null && !result.rejected()) {
            policy = new WhyView.Policy(org, account, policies.check(org, account, result.client()));
        } else if (org == null && path != null && route != null && route.explanation().winner() != null) {
            notes.add("This route is not bound to an organisation: no policy is checked (add org= to check one).");
        }

        WhyView.SignIn signIn = signIn(binding, org);
        String verdict;
        boolean denied;
        if (route != null && route.explanation().winner() == null) {
            verdict = "404: no route matches " + (route.explanation().host().isEmpty() ? "" : route.explanation().host())
                    + route.explanation().path();
            denied = true;
        } else if (result.rejected()) {
            verdict = "400: " + result.rejection();
            denied = true;
        } else if (policy != null && policy.check().decision().equals("deny")) {
            verdict = "denied (403): " + policy.check().reason();
            denied = true;
        } else if (policy != null) {
            verdict = "allowed: " + policy.check().reason();
            denied = false;
        } else {
            verdict = "allowed: no organisation's policy applies";
            denied = false;
        }
        return new WhyView(form, true, recorded, verdict, denied, route, client, policy, signIn, notes);
    }

    /** The JSON sections of a trace: what the three commands print with {@code --json}. */
    static WhyView.Json json(WhyView v) {
        return new WhyView.Json(v.route() == null ? null : v.route().json(), v.client() == null ? null
                : v.client().result(), v.policy() == null ? null : v.policy().check());
    }

    /** Whether the gateway asks for sign-in on this route, as {@code SsoHandler} decides it, from the same snapshot. */
    private WhyView.SignIn signIn(RouteBinding binding, String orgName) {
        PolicySnapshot s = snapshots.get();
        PolicySnapshot.Org org = s == null || orgName == null ? null : s.org(orgName);
        List<String> providers = org == null ? List.of()
                : org.enabledProviders().stream().map(PolicySnapshot.SsoProvider::name).toList();
        if (binding == null) {
            return new WhyView.SignIn(org == null ? "no route given: sign-in not judged"
                    : "no route given; " + org.name() + (org.requireSso() ? " requires sign-in" : " does not require"
                    + " sign-in"), providers);
        }
        if (!binding.signInPossible()) {
            return new WhyView.SignIn("not asked: " + (binding.token() ? "an API token route" : binding.org() == null
                    ? "the route names no organisation" : "the route says sso = off"), providers);
        }
        if (org == null) {
            return new WhyView.SignIn("not judged: the organisation is not in the gateway's snapshot (503)", providers);
        }
        boolean auto = binding.sso() == RouteBinding.Sso.AUTO;
        if (auto && !org.requireSso()) {
            return new WhyView.SignIn("not asked: " + org.name() + " does not require sign-in (sso = auto)", providers);
        }
        if (org.ssoBreakGlass()) {
            return new WhyView.SignIn("not asked: " + org.name() + " is in break-glass since " + org.ssoBreakGlassAt()
                    + " (disable-org-sso); the network policy alone applies", providers);
        }
        if (!org.hasEnabledProvider()) {
            return new WhyView.SignIn(auto ? "not asked: " + org.name() + " has no enabled provider"
                    : "503: the route requires sign-in and " + org.name() + " has no enabled provider", providers);
        }
        return new WhyView.SignIn("asked: a browser without a session is sent to sign in; an API client gets 401. The"
                + " network policy then applies to the signed-in account", providers);
    }

    private static Map<String, List<String>> headers(List<String> lines) {
        Map<String, List<String>> h = new LinkedHashMap<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("h: expected 'Name: value', got '" + line + "'");
            }
            h.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        return h;
    }

    private static IpAddress address(String text, String name) {
        try {
            return IpAddress.parse(text.trim());
        } catch (InvalidAddressException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage());
        }
    }

    private static String v(String s) {
        return s == null ? "" : s;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
