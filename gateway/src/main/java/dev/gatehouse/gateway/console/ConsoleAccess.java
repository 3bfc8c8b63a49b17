package dev.gatehouse.gateway.console;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.clientip.ClientIpResolver;
import dev.gatehouse.core.clientip.ClientIpResult;
import dev.gatehouse.core.clientip.ClientIpSettings;
import dev.gatehouse.core.clientip.CloudflareRanges;
import dev.gatehouse.core.net.IpAddress;
import dev.gatehouse.core.policy.AccountKind;
import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.gateway.clientip.TrustedHops;
import dev.gatehouse.gateway.config.ConsoleSettings;
import dev.gatehouse.gateway.sso.SingleSignOn;
import dev.gatehouse.gateway.sso.session.Sessions;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Who may see the console, decided per request from memory (no database call): on a loopback bind, whoever reaches the
 * port; otherwise a request must come from {@code console.allow}, carry a session of {@code console.sign-in-org} that
 * still holds (the gateway's own sessions: not revoked, provider unchanged), of an account whose role is admin, from an
 * address that organisation's network policy allows that account.
 *
 * <p>The address judged is the socket peer, or, from a hop of {@code console.trusted-proxies} (a TLS terminator in
 * front of the console), the address it appended to X-Forwarded-For: never by the public listener's trust
 * ({@code client-ip.trusted-proxies} may well cover a CDN or every private network, whose clients could then name any
 * address). On a loopback bind, a request is refused when its Host is not a loopback name (a DNS
 * rebinding page in a local browser) or when it carries forwarding headers (a local reverse proxy publishing the
 * console, which would make every visitor "loopback").
 */
final class ConsoleAccess {
    /** Admitted, or refused with the answer to give. */
    sealed interface Verdict permits Admitted, Refused {
    }

    record Admitted(Viewer viewer) implements Verdict {
    }

    record Refused(ConsoleAnswer answer) implements Verdict {
    }

    private final ConsoleSettings settings;
    private final TrustedHops hops;
    private final Supplier<PolicySnapshot> snapshots;
    private final SingleSignOn sso;
    private final ClientIpResolver forwarded;

    ConsoleAccess(ConsoleSettings settings, TrustedHops hops, Supplier<PolicySnapshot> snapshots, SingleSignOn sso) {
        this.settings = settings;
        this.forwarded = new ClientIpResolver(new ClientIpSettings(settings.trustedProxies(),
                List.of(ClientIpSettings.X_FORWARDED_FOR), false, Map.of(), CloudflareRanges.snapshot()));
        this.hops = hops;
        this.snapshots = snapshots;
        this.sso = sso;
    }

    /**
     * At start, when the policy snapshot is loaded: the sign-in organisation must exist, have an enabled provider and
     * an admin member to sign in with; else the start is refused with one line. Not loaded (the database away): the
     * console starts, and refuses sign-ins until it is.
     */
    void checkSignInOrg() {
        if (settings.loopback()) {
            return;
        }
        PolicySnapshot s = snapshots.get();
        if (s == null) {
            return;
        }
        String key = "gatehouse.console.sign-in-org = \"" + settings.signInOrg() + "\": ";
        PolicySnapshot.Org org = s.org(settings.signInOrg());
        if (org == null) {
            throw new GatehouseException(key + "no such organisation (gatehouse-admin org list)");
        }
        if (!org.hasEnabledProvider()) {
            throw new GatehouseException(key + "the organisation has no enabled sign-in provider for its admins to sign"
                    + " in with (gatehouse-admin sso provider add)");
        }
        boolean admin = org.accounts().values().stream().anyMatch(a -> a.kind() == AccountKind.MEMBER
                && a.role().equals("admin") && a.email() != null);
        if (!admin) {
            throw new GatehouseException(key + "the organisation has no admin member account with an email to sign in"
                    + " as (gatehouse-admin account create --role admin --email ...)");
        }
    }

    Verdict admit(HttpRequest req, InetSocketAddress remote) {
        IpAddress peer = IpAddress.of(remote.getAddress().getAddress());
        if (settings.loopback()) {
            String host = req.headers().get(HttpHeaderNames.HOST);
            if (!loopbackHost(host)) {
                return new Refused(ConsoleAnswer.message(HttpResponseStatus.MISDIRECTED_REQUEST, "-", "Wrong host",
                        null, null, "A console bound to loopback answers only Host 127.0.0.1, [::1] or localhost, not "
                                + (host == null ? "none" : host) + "."));
            }
            String forwarded = forwardingHeader(req);
            if (forwarded != null) {
                return new Refused(ConsoleAnswer.message(HttpResponseStatus.FORBIDDEN, "-", "Forwarded", null, null,
                        "A console bound to loopback is not published through a proxy: this request carries "
                                + forwarded + " (bind it elsewhere with console.sign-in-org and console.allow)."));
            }
            return new Admitted(new Viewer("loopback", peer.toString(), false));
        }
        ClientIpResult r = forwarded.resolve(peer, req.headers()::getAll);
        if (r.rejected()) {
            return new Refused(ConsoleAnswer.message(HttpResponseStatus.BAD_REQUEST, "-", "Bad forwarding header", null,
                    null, r.rejection()));
        }
        IpAddress client = r.client(); // the peer, unless it is one of console.trusted-proxies
        if (!settings.allow().contains(client)) {
            return new Refused(ConsoleAnswer.message(HttpResponseStatus.FORBIDDEN, "-", "Not from here", null, null,
                    "The console does not answer requests from " + client + " (gatehouse.console.allow)."));
        }
        PolicySnapshot s = snapshots.get();
        PolicySnapshot.Org org = s == null ? null : s.org(settings.signInOrg());
        if (org == null) {
            return new Refused(ConsoleAnswer.message(HttpResponseStatus.SERVICE_UNAVAILABLE, "-", "Not ready", null, null,
                    "The console's sign-in organisation is not loaded (the database is away, or the organisation was"
                            + " removed); try again shortly."));
        }
        Instant now = Instant.now();
        Sessions.Valid valid = sso.session(req, org, now);
        if (valid == null) {
            String signIn = sso.signInUrl(org.name());
            return new Refused(ConsoleAnswer.message(HttpResponseStatus.UNAUTHORIZED, "-", "Sign in", signIn,
                    "Sign in as an admin of " + org.name(),
                    "The console is for the admins of " + org.name() + ". Sign in with its provider, then open the"
                            + " console again."));
        }
        PolicySnapshot.Account a = valid.account();
        String who = a.name() + " (" + org.name() + ")";
        if (!a.role().equals("admin")) {
            return new Refused(ConsoleAnswer.message(HttpResponseStatus.FORBIDDEN, who, "Admins only", null, null,
                    "The console is for the admin accounts of " + org.name() + "; " + a.name() + " is a member."));
        }
        if (!s.decide(org, a, client).allowed()) {
            return new Refused(ConsoleAnswer.message(HttpResponseStatus.FORBIDDEN, who, "Blocked by the network policy",
                    null, null, "The network policy of " + org.name() + " does not allow " + a.name() + " from " + client
                            + "."));
        }
        return new Admitted(new Viewer(who, client.toString(), true));
    }

    /** {@code localhost}, {@code 127.x.x.x} or {@code [::1]}, each with a port or without; case-insensitive. */
    static boolean loopbackHost(String host) {
        if (host == null) {
            return false;
        }
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            if (end < 0 || !port(h.substring(end + 1))) {
                return false;
            }
            return h.substring(1, end).equals("::1");
        }
        int colon = h.indexOf(':');
        String name = colon < 0 ? h : h.substring(0, colon);
        if (colon >= 0 && !port(h.substring(colon))) {
            return false;
        }
        return name.equals("localhost") || IPV4_LOOPBACK.matcher(name).matches();
    }

    private static final Pattern IPV4_LOOPBACK = Pattern.compile(
            "127(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");

    /** Nothing, or {@code :} and one to five digits. */
    private static boolean port(String rest) {
        return rest.isEmpty() || rest.matches(":[0-9]{1,5}");
    }

    /** The first forwarding header the request carries (Forwarded, X-Forwarded-*, the client-ip headers); or null. */
    private String forwardingHeader(HttpRequest req) {
        for (Map.Entry<String, String> h : req.headers()) {
            String n = h.getKey().toLowerCase(Locale.ROOT);
            if (n.equals("forwarded") || n.startsWith("x-forwarded-") || n.startsWith("x_forwarded_")) {
                return h.getKey();
            }
        }
        for (String n : hops.resolver().settings().headers()) {
            if (req.headers().contains(n)) {
                return n;
            }
        }
        return null;
    }
}
