package dev.gatehouse.core.route;

import dev.gatehouse.core.net.InvalidAddressException;
import dev.gatehouse.core.net.IpAddress;
import java.util.Locale;

/**
 * One of a route's {@code hosts}: an exact name ({@code acme.example.com}), an address literal ({@code 10.0.0.5},
 * {@code [2001:db8::5]}) or a wildcard ({@code *.example.com}, which matches any name that ends in
 * {@code .example.com} — {@code a.example.com} and {@code a.b.example.com}, not {@code example.com} itself).
 * Written without a port, compared case-folded and without a trailing dot, as the request's host is
 * ({@link #requestHost}).
 *
 * @param text the pattern, normalised: lower case; a wildcard keeps its {@code *.}
 */
public record HostPattern(String text) {

    /** True for {@code *.suffix}. */
    public boolean wildcard() {
        return text.startsWith("*.");
    }

    /** For a wildcard, the suffix a host must end with, dot included ({@code .example.com}). */
    public String suffix() {
        return text.substring(1);
    }

    /** True when the (normalised) request host is this one, or falls under this wildcard. */
    public boolean matches(String host) {
        return wildcard() ? host.length() > text.length() - 1 && host.endsWith(suffix()) : host.equals(text);
    }

    @Override
    public String toString() {
        return text;
    }

    /** Parses one configured host; the message says what is wrong. */
    public static HostPattern parse(String raw) {
        String h = raw.trim().toLowerCase(Locale.ROOT);
        if (h.isEmpty()) {
            throw new IllegalArgumentException("a host must not be empty");
        }
        if (h.equals("*")) {
            throw new IllegalArgumentException("'*' is every host: leave 'hosts' out instead");
        }
        if (h.startsWith("[")) {
            if (!h.endsWith("]")) {
                throw new IllegalArgumentException("'" + raw + "': a host is written without a port");
            }
            try {
                IpAddress a = IpAddress.parse(h.substring(1, h.length() - 1));
                return new HostPattern(a.isV4() ? a.toString() : "[" + a + "]");
            } catch (InvalidAddressException e) {
                throw new IllegalArgumentException("'" + raw + "': " + e.getMessage());
            }
        }
        if (h.indexOf(':') >= 0) {
            throw new IllegalArgumentException("'" + raw + "': a host is written without a port (an IPv6 address in brackets)");
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        boolean wildcard = h.startsWith("*.");
        String name = wildcard ? h.substring(2) : h;
        if (name.indexOf('*') >= 0) {
            throw new IllegalArgumentException("'" + raw + "': a wildcard is only '*.' at the start (*.example.com)");
        }
        String[] labels = name.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty() || label.length() > 63) {
                throw new IllegalArgumentException("'" + raw + "' is not a host name (an empty or over-long label)");
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_';
                if (!ok) {
                    throw new IllegalArgumentException("'" + raw + "' is not a host name ('" + c + "' is not allowed;"
                            + " an internationalised name is written in its xn-- form)");
                }
            }
        }
        if (!wildcard && Upstream.looksLikeAddress(name)) {
            try {
                return new HostPattern(IpAddress.parse(name).toString());
            } catch (InvalidAddressException e) {
                throw new IllegalArgumentException("'" + raw + "': " + e.getMessage());
            }
        }
        return new HostPattern(wildcard ? "*." + name : name);
    }

    /**
     * A Host header (or an absolute-form target's authority) as the gateway accepts it, RFC 9112 §3.2: uri-host
     * [ ":" port ], a reg-name or IPv4 address, or an IP literal in brackets; empty is allowed (HTTP/1.0 may send none).
     */
    public static boolean validHostHeader(String h) {
        int i = 0;
        int n = h.length();
        if (n > 0 && h.charAt(0) == '[') {
            int close = h.indexOf(']');
            if (close < 0) {
                return false;
            }
            for (int j = 1; j < close; j++) {
                char c = h.charAt(j);
                if (!(isAlnum(c) || c == ':' || c == '.')) {
                    return false;
                }
            }
            i = close + 1;
        } else {
            while (i < n && h.charAt(i) != ':') {
                char c = h.charAt(i);
                if (!(isAlnum(c) || "-._~!$&'()*+,;=%".indexOf(c) >= 0)) {
                    return false;
                }
                i++;
            }
        }
        if (i == n) {
            return true;
        }
        if (h.charAt(i) != ':' || n - i - 1 > 5 || i + 1 == n) { // "host:" (no digits) too: strict servers refuse it
            return false;
        }
        for (int j = i + 1; j < n; j++) {
            if (h.charAt(j) < '0' || h.charAt(j) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlnum(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    /**
     * A request's Host (validated as {@code host[:port]} by the request validator) as routes compare it: port
     * removed, lower case, no trailing dot, an IPv6 literal in its canonical form. Null or empty: "".
     */
    public static String requestHost(String hostHeader) {
        if (hostHeader == null || hostHeader.isEmpty()) {
            return "";
        }
        String h = hostHeader;
        if (h.charAt(0) == '[') {
            int close = h.indexOf(']');
            if (close < 0) {
                return h;
            }
            try {
                IpAddress a = IpAddress.parse(h.substring(1, close));
                return a.isV4() ? a.toString() : "[" + a + "]";
            } catch (InvalidAddressException e) {
                return h.substring(0, close + 1).toLowerCase(Locale.ROOT);
            }
        }
        int colon = h.lastIndexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return h.toLowerCase(Locale.ROOT);
            }
        }
        return h;
    }
}
