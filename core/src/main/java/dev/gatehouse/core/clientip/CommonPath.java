package dev.gatehouse.core.clientip;

import dev.gatehouse.core.net.AddressBits;
import dev.gatehouse.core.net.CidrSet;
import dev.gatehouse.core.net.HopAddress;
import dev.gatehouse.core.net.InvalidAddressException;
import dev.gatehouse.core.net.IpAddress;
import java.util.List;

/**
 * The resolver's rules for the requests every gateway sees all day — no forwarding header, an untrusted
 * peer, X-Forwarded-For through trusted proxies, a single-address header from an allowed setter — without
 * allocating: X-Forwarded-For is walked in place from its right end, each hop parsed into a per-thread
 * {@link AddressBits}, and the result taken from a small cache of recent results (the same clients come
 * back). Anything else — Forwarded, an entry that does not parse, too many hops, a header to reject —
 * answers null, and {@link ClientIpResolver} takes the request through its full walk, which says why.
 *
 * <p>The two must agree on every input; {@code ClientIpResolverPropertiesTest} checks that they do.
 */
final class CommonPath {
    private static final int FOUND = 1;
    private static final int NOT_FOUND = 0;
    private static final int GIVE_UP = -1;
    private static final String PEER = "peer";
    private static final ThreadLocal<AddressBits> SCRATCH = ThreadLocal.withInitial(AddressBits::new);

    private final ClientIpSettings settings;
    /**
     * Recent results, direct-mapped by client and peer. Shared by all threads without locks: entries are
     * immutable records (final fields), so a racing reader sees a whole entry or another one, and a miss
     * costs only an allocation.
     */
    private final ClientIpResult[] recent = new ClientIpResult[4096];

    CommonPath(ClientIpSettings settings) {
        this.settings = settings;
    }

    /** The result, or null when the full walk must decide. */
    ClientIpResult resolve(IpAddress peer, Headers headers) {
        CidrSet trusted = settings.trusted();
        boolean peerTrusted = trusted.contains(peer);
        AddressBits bits = SCRATCH.get();
        List<String> names = settings.headers();
        for (int h = 0; h < names.size(); h++) {
            String name = names.get(h);
            List<String> lines = headers.all(name);
            if (lines.isEmpty()) {
                continue;
            }
            if (name.equals(ClientIpSettings.FORWARDED)) {
                if (!peerTrusted) {
                    continue;
                }
                return null;
            }
            if (name.equals(ClientIpSettings.X_FORWARDED_FOR)) {
                if (!peerTrusted) {
                    continue;
                }
                int found = walk(lines, null, bits);
                if (found == GIVE_UP) {
                    return null;
                }
                if (found == FOUND) {
                    return result(bits, peer, name);
                }
                continue;
            }
            // a single-address header
            if (lines.size() != 1) {
                return null;
            }
            String value = lines.get(0);
            int from = 0;
            int to = value.length();
            while (from < to && isSpace(value.charAt(from))) {
                from++;
            }
            while (to > from && isSpace(value.charAt(to - 1))) {
                to--;
            }
            if (from == to) {
                return null; // blank, or other white space: the full walk's strip() decides
            }
            CidrSet setters = settings.settersOf(name);
            int delivered;
            if (setters.contains(peer)) {
                delivered = FOUND;
            } else if (!peerTrusted) {
                delivered = NOT_FOUND;
            } else {
                delivered = walk(headers.all(ClientIpSettings.X_FORWARDED_FOR), setters, bits);
            }
            if (delivered == GIVE_UP) {
                return null;
            }
            if (delivered == NOT_FOUND) {
                continue;
            }
            if (value.indexOf(',', from) >= 0 || !parse(value, from, to, bits)) {
                return null; // to be rejected: the full walk says why
            }
            return result(bits, peer, name);
        }
        return result(bits.set(peer), peer, PEER);
    }

    /**
     * Walks X-Forwarded-For from the right. With {@code setters} null: the list walk, FOUND with the client
     * in {@code bits}. Otherwise: whether a hop allowed to set a header delivered it.
     */
    private int walk(List<String> lines, CidrSet setters, AddressBits bits) {
        CidrSet trusted = settings.trusted();
        int remaining = 0;
        if (setters == null) {
            remaining = count(lines);
            if (remaining == 0) {
                return NOT_FOUND;
            }
            if (remaining > ClientIpResolver.MAX_HOPS) {
                return GIVE_UP;
            }
        }
        int seen = 0;
        for (int li = lines.size() - 1; li >= 0; li--) {
            String line = lines.get(li);
            int end = line.length();
            while (end >= 0) {
                int comma = end == 0 ? -1 : line.lastIndexOf(',', end - 1);
                int from = comma + 1;
                int to = end;
                end = comma;
                while (from < to && isSpace(line.charAt(from))) {
                    from++;
                }
                while (to > from && isSpace(line.charAt(to - 1))) {
                    to--;
                }
                if (from == to) {
                    continue;
                }
                if (!parse(line, from, to, bits)) {
                    return GIVE_UP;
                }
                if (setters == null) {
                    remaining--;
                    if (!settings.recursive() || remaining == 0 || !trusted.contains(bits)) {
                        return FOUND;
                    }
                } else {
                    if (setters.contains(bits)) {
                        return FOUND;
                    }
                    if (!trusted.contains(bits) || ++seen >= ClientIpResolver.MAX_HOPS) {
                        return NOT_FOUND;
                    }
                }
            }
        }
        return NOT_FOUND;
    }

    /** Non-blank entries, counted as {@link #walk} sees them. */
    private static int count(List<String> lines) {
        int n = 0;
        for (int li = 0; li < lines.size(); li++) {
            String line = lines.get(li);
            boolean content = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == ',') {
                    n += content ? 1 : 0;
                    content = false;
                } else if (!isSpace(c)) {
                    content = true;
                }
            }
            n += content ? 1 : 0;
        }
        return n;
    }

    private static boolean parse(String s, int from, int to, AddressBits bits) {
        try {
            HopAddress.parseInto(s, from, to, bits);
            return true;
        } catch (InvalidAddressException e) {
            return false;
        }
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    private ClientIpResult result(AddressBits client, IpAddress peer, String source) {
        long mix = (client.lo() * 0x9E3779B97F4A7C15L) ^ client.hi() ^ ((peer.lo() + peer.hi()) * 0xC2B2AE3D27D4EB4FL);
        int slot = (int) (mix >>> 52) & (recent.length - 1);
        ClientIpResult r = recent[slot];
        if (r != null && r.source() == source && client.sameAs(r.client()) && r.peer().equals(peer)) {
            return r;
        }
        r = new ClientIpResult(client.sameAs(peer) ? peer : client.toAddress(), peer, source, null, List.of());
        recent[slot] = r;
        return r;
    }
}
