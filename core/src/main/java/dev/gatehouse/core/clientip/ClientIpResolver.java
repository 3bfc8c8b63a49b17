package dev.gatehouse.core.clientip;

import dev.gatehouse.core.net.CidrSet;
import dev.gatehouse.core.net.HopAddress;
import dev.gatehouse.core.net.InvalidAddressException;
import dev.gatehouse.core.net.IpAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides the client IP of a request from its peer and its forwarding headers. Pure: no I/O, no
 * DNS, no clock; the same inputs always give the same answer.
 *
 * <p>The rules, in order:
 * <ol>
 * <li>The configured headers are tried in order of preference; the first that yields a client wins.
 * With none, the client is the peer.</li>
 * <li>List headers (X-Forwarded-For, Forwarded) are believed only from a trusted peer. All their
 * lines form one list; the peer is the hop to its right. Walking right to left, trusted addresses
 * are skipped; the first untrusted entry is the client; when every entry is trusted, the leftmost.
 * (Not recursive: the rightmost entry.)</li>
 * <li>A single-address header (X-Real-IP, CF-Connecting-IP...) is believed only when the hop that
 * delivered it may set it: starting at the peer and walking X-Forwarded-For right to left through
 * trusted proxies, the first hop that is an allowed setter. CF-Connecting-IP's setters are
 * Cloudflare's ranges, so a request that reached the load balancer directly cannot forge it.
 * A header that is not believed is ignored, never half-trusted.</li>
 * <li>An entry that is not an IP literal (garbage, {@code unknown}, an obfuscated identifier, a
 * hostname, a leading-zero octet) where the walk needs it ends the walk: the request is rejected
 * with the reason. It is never attributed to a neighbouring hop.</li>
 * </ol>
 */
public final class ClientIpResolver {
    /** More hops than this is an attack or a loop, not a proxy chain. */
    static final int MAX_HOPS = 64;

    private final ClientIpSettings settings;
    private final CommonPath common;

    public ClientIpResolver(ClientIpSettings settings) {
        this.settings = settings;
        this.common = new CommonPath(settings);
    }

    public ClientIpSettings settings() {
        return settings;
    }

    /**
     * The decision for a request. The common cases are decided without allocating ({@link CommonPath});
     * the rest, rejections included, by the full walk below.
     */
    public ClientIpResult resolve(IpAddress peer, Headers headers) {
        ClientIpResult r = common.resolve(peer, headers);
        return r != null ? r : run(peer, headers, null);
    }


    /** The decision with every hop and the reason for each, for {@code gatehouse-admin client-ip explain}. */
    public ClientIpResult explain(IpAddress peer, Headers headers) {
        return run(peer, headers, new ArrayList<>());
    }

    private ClientIpResult run(IpAddress peer, Headers headers, List<ClientIpResult.Hop> log) {
        CidrSet trusted = settings.trusted();
        boolean peerTrusted = trusted.contains(peer);
        note(log, "peer", peer.toString(), peer, peerTrusted ? "trusted proxy" : "not a trusted proxy");
        Walk walk = new Walk(peer, headers, log);
        try {
            for (String name : settings.headers()) {
                List<String> lines = headers.all(name);
                if (lines.isEmpty()) {
                    continue;
                }
                IpAddress client;
                if (name.equals(ClientIpSettings.X_FORWARDED_FOR) || name.equals(ClientIpSettings.FORWARDED)) {
                    if (!peerTrusted) {
                        note(log, name, String.join(", ", lines), null, "ignored: the peer is not trusted");
                        continue;
                    }
                    List<String> entries = name.equals(ClientIpSettings.X_FORWARDED_FOR)
                            ? ForwardedList.xForwardedFor(lines) : forwarded(lines, name);
                    client = walkList(name, entries, log);
                } else {
                    client = singleAddress(name, lines, walk, log);
                }
                if (client != null) {
                    return new ClientIpResult(client, peer, name, null, log == null ? List.of() : List.copyOf(log));
                }
            }
            return new ClientIpResult(peer, peer, "peer", null, log == null ? List.of() : List.copyOf(log));
        } catch (Rejected r) {
            return new ClientIpResult(null, peer, null, r.getMessage(), log == null ? List.of() : List.copyOf(log));
        }
    }

    private static List<String> forwarded(List<String> lines, String name) {
        try {
            return ForwardedList.forwarded(lines);
        } catch (IllegalArgumentException e) {
            throw new Rejected(name + ": " + e.getMessage());
        }
    }

    /** The X-Forwarded-For / Forwarded walk. Null when the list is empty. */
    private IpAddress walkList(String name, List<String> entries, List<ClientIpResult.Hop> log) {
        if (entries.isEmpty()) {
            return null;
        }
        if (entries.size() > MAX_HOPS) {
            throw new Rejected(name + " has " + entries.size() + " entries (at most " + MAX_HOPS + ")");
        }
        CidrSet trusted = settings.trusted();
        for (int i = entries.size() - 1; i >= 0; i--) {
            String where = name + "[" + i + "]";
            IpAddress a = parse(where, entries.get(i), log);
            boolean last = !settings.recursive() || i == 0;
            if (trusted.contains(a) && !last) {
                note(log, where, entries.get(i), a, "trusted proxy, skipped");
                continue;
            }
            note(log, where, entries.get(i), a, trusted.contains(a)
                    ? (settings.recursive() ? "client (every hop trusted: the leftmost)" : "client (not recursive: the rightmost)")
                    : "client (first untrusted hop)");
            return a;
        }
        throw new IllegalStateException("unreachable");
    }

    /** A single-address header: believed when delivered by an allowed setter. Null when not believed. */
    private IpAddress singleAddress(String name, List<String> lines, Walk walk, List<ClientIpResult.Hop> log) {
        String value = String.join(",", lines).strip();
        if (value.isEmpty()) {
            return null;
        }
        CidrSet setters = settings.settersOf(name);
        String deliverer = walk.deliverer(name, setters);
        if (deliverer == null) {
            note(log, name, value, null, "ignored: not delivered by a hop allowed to set it");
            return null;
        }
        if (lines.size() > 1 || value.indexOf(',') >= 0) {
            throw new Rejected(name + " carries more than one address: '" + value + "'");
        }
        IpAddress a = parse(name, value, log);
        note(log, name, value, a, "client (set by " + deliverer + ", an allowed setter)");
        return a;
    }

    private static IpAddress parse(String where, String text, List<ClientIpResult.Hop> log) {
        if (text == ForwardedList.NO_FOR) {
            note(log, where, "", null, "invalid: Forwarded element without for=");
            throw new Rejected(where + ": Forwarded element without for=");
        }
        try {
            return HopAddress.parse(text);
        } catch (InvalidAddressException e) {
            note(log, where, text, null, "invalid: " + e.reason());
            throw new Rejected(where + ": " + e.getMessage());
        }
    }

    private static void note(List<ClientIpResult.Hop> log, String where, String text, IpAddress a, String verdict) {
        if (log != null) {
            log.add(new ClientIpResult.Hop(where, text, a, verdict));
        }
    }

    /** Finds the hop that delivered a single-address header, walking X-Forwarded-For lazily. */
    private final class Walk {
        private final IpAddress peer;
        private final Headers headers;
        private final List<ClientIpResult.Hop> log;
        private List<String> xff;

        Walk(IpAddress peer, Headers headers, List<ClientIpResult.Hop> log) {
            this.peer = peer;
            this.headers = headers;
            this.log = log;
        }

        /** Description of the allowed setter that delivered the header, or null. */
        String deliverer(String header, CidrSet setters) {
            CidrSet trusted = settings.trusted();
            if (setters.contains(peer)) {
                return "the peer " + peer;
            }
            if (!trusted.contains(peer)) {
                return null;
            }
            if (xff == null) {
                xff = ForwardedList.xForwardedFor(headers.all(ClientIpSettings.X_FORWARDED_FOR));
            }
            for (int i = xff.size() - 1, seen = 0; i >= 0 && seen < MAX_HOPS; i--, seen++) {
                String where = ClientIpSettings.X_FORWARDED_FOR + "[" + i + "]";
                IpAddress hop = parse(where, xff.get(i), log);
                if (setters.contains(hop)) {
                    note(log, where, xff.get(i), hop, "may set " + header + ": delivered it");
                    return where + " " + hop;
                }
                if (!trusted.contains(hop)) {
                    note(log, where, xff.get(i), hop, "may not set " + header + ", and is not a trusted proxy");
                    return null;
                }
                note(log, where, xff.get(i), hop, "trusted proxy, passed " + header + " on");
            }
            return null;
        }
    }

    /** The request must be refused; the message says why. */
    private static final class Rejected extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Rejected(String message) {
            super(message, null, false, false);
        }
    }
}
