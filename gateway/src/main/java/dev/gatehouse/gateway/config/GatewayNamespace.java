package dev.gatehouse.gateway.config;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The names the gateway owns in a request and a response, and nobody else may write: headers beginning
 * {@code X-Gatehouse-} (any case, {@code _} for {@code -}: some backends read {@code X_Gatehouse_User_Email} as the
 * real one), the identity headers an operator names ({@code upstream.strip-identity-headers}), and the cookies
 * beginning {@code __Host-gatehouse} (the session, the sign-in in progress, a hand-over).
 *
 * <p>A boundary is a namespace: everything in it that a client sent is removed before anything reads the request,
 * then the gateway sets its own; its cookies never reach an upstream, and an upstream cannot set them.
 */
public final class GatewayNamespace {
    /** Every header the gateway sets for the upstream begins with this. */
    public static final String HEADER_PREFIX = "x-gatehouse-";
    /** Every cookie of the gateway's begins with this (the browser enforces Secure, Path=/ and no Domain on it). */
    public static final String COOKIE_PREFIX = "__Host-gatehouse";

    private GatewayNamespace() {
    }

    /**
     * Removes every header in the gateway's namespace, and those named in {@code identityHeaders} (lower case,
     * {@code -} spelled), whatever their case or underscores. One pass over the names; nothing allocated when there
     * is none (the usual request).
     */
    public static void stripHeaders(HttpHeaders headers, List<String> identityHeaders) {
        List<String> doomed = null;
        for (var it = headers.iteratorCharSequence(); it.hasNext(); ) {
            CharSequence name = it.next().getKey();
            if (isOwnHeader(name) || namedIn(name, identityHeaders)) {
                if (doomed == null) {
                    doomed = new ArrayList<>(2);
                }
                doomed.add(name.toString());
            }
        }
        if (doomed != null) {
            doomed.forEach(headers::remove);
        }
    }

    /** Whether a header name begins {@code X-Gatehouse-} in any case, with {@code _} for {@code -}. */
    public static boolean isOwnHeader(CharSequence name) {
        return startsWithNormalized(name, HEADER_PREFIX);
    }

    private static boolean namedIn(CharSequence name, List<String> lowerCaseNames) {
        for (int i = 0; i < lowerCaseNames.size(); i++) {
            String n = lowerCaseNames.get(i);
            if (n.length() == name.length() && startsWithNormalized(name, n)) {
                return true;
            }
        }
        return false;
    }

    /** {@code s} begins with {@code lowerPrefix}, compared case-insensitively and with {@code _} read as {@code -}. */
    private static boolean startsWithNormalized(CharSequence s, String lowerPrefix) {
        if (s.length() < lowerPrefix.length()) {
            return false;
        }
        for (int i = 0; i < lowerPrefix.length(); i++) {
            char c = s.charAt(i);
            if (c == '_') {
                c = '-';
            } else if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            if (c != lowerPrefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether a cookie name is the gateway's (case-insensitively: browsers compare the prefix so too). */
    public static boolean isOwnCookie(CharSequence name) {
        return name.length() >= COOKIE_PREFIX.length()
                && AsciiString.regionMatches(name, true, 0, COOKIE_PREFIX, 0, COOKIE_PREFIX.length());
    }

    /**
     * The request's Cookie headers without the gateway's cookies, every other pair kept byte for byte (pairs joined
     * by {@code "; "}); a header left empty is removed. Nothing is rebuilt when no cookie of the gateway's is there.
     */
    public static void stripCookies(HttpHeaders headers) {
        if (!headers.contains(HttpHeaderNames.COOKIE)) {
            return;
        }
        List<String> values = headers.getAll(HttpHeaderNames.COOKIE);
        boolean any = false;
        for (int i = 0; i < values.size() && !any; i++) {
            any = mayHoldOwnCookie(values.get(i));
        }
        if (!any) {
            return;
        }
        headers.remove(HttpHeaderNames.COOKIE);
        for (String v : values) {
            String kept = withoutOwnCookies(v);
            if (kept != null) {
                headers.add("Cookie", kept); // (the name as clients spell it)
            }
        }
    }

    private static boolean mayHoldOwnCookie(String cookieHeader) {
        for (int i = cookieHeader.indexOf("__"); i >= 0; i = cookieHeader.indexOf("__", i + 2)) {
            if (cookieHeader.regionMatches(true, i, COOKIE_PREFIX, 0, COOKIE_PREFIX.length())) {
                return true;
            }
        }
        return false;
    }

    /** One Cookie header's value without the gateway's pairs; null when nothing is left. */
    static String withoutOwnCookies(String cookieHeader) {
        StringBuilder kept = new StringBuilder(cookieHeader.length());
        boolean removed = false;
        int start = 0;
        while (start <= cookieHeader.length()) {
            int end = cookieHeader.indexOf(';', start);
            if (end < 0) {
                end = cookieHeader.length();
            }
            int from = start;
            while (from < end && (cookieHeader.charAt(from) == ' ' || cookieHeader.charAt(from) == '\t')) {
                from++;
            }
            if (from < end) {
                if (passesForOwn(cookieHeader, from, end)) {
                    removed = true;
                } else {
                    if (kept.length() > 0) {
                        kept.append("; ");
                    }
                    kept.append(cookieHeader, from, end);
                }
            }
            start = end + 1;
        }
        if (!removed) {
            return cookieHeader;
        }
        String s = kept.toString().strip();
        return s.isEmpty() ? null : s;
    }

    /**
     * Whether a cookie pair (from..end) is, or could be read by some parser as, one of the gateway's: named so (quoted
     * too); nameless with a value that starts so ({@code =__Host-gatehouse=x}, which browsers send back as
     * {@code __Host-gatehouse=x}); or holding one after a comma ({@code a=1, __Host-gatehouse=x}: RFC 2965's separator,
     * which some frameworks still split on).
     */
    private static boolean passesForOwn(String header, int from, int end) {
        int at = from;
        while (at < end && (header.charAt(at) == '=' || header.charAt(at) == '"' || header.charAt(at) == ' ')) {
            at++;
        }
        if (header.regionMatches(true, at, COOKIE_PREFIX, 0, COOKIE_PREFIX.length())) {
            return true;
        }
        for (int comma = header.indexOf(',', from); comma >= 0 && comma < end; comma = header.indexOf(',', comma + 1)) {
            int n = comma + 1;
            while (n < end && (header.charAt(n) == ' ' || header.charAt(n) == '\t' || header.charAt(n) == '"')) {
                n++;
            }
            if (header.regionMatches(true, n, COOKIE_PREFIX, 0, COOKIE_PREFIX.length())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The name of the cookie a Set-Cookie value sets — for a nameless one ({@code =__Host-gatehouse=x}, which a browser
     * may send back as {@code __Host-gatehouse=x}), what its value would pass for.
     */
    public static String setCookieName(String setCookie) {
        int eq = setCookie.indexOf('=');
        int semi = setCookie.indexOf(';');
        int end = eq < 0 ? (semi < 0 ? setCookie.length() : semi) : (semi >= 0 && semi < eq ? semi : eq);
        String name = setCookie.substring(0, end).strip();
        if (name.isEmpty() && eq >= 0 && (semi < 0 || eq < semi)) {
            return setCookieName(setCookie.substring(eq + 1));
        }
        return name;
    }

    /**
     * Removes from an upstream's response every Set-Cookie naming one of the gateway's cookies; returns how many
     * (0 without allocating when there is no Set-Cookie).
     */
    public static int stripSetCookies(HttpHeaders headers) {
        if (!headers.contains(HttpHeaderNames.SET_COOKIE)) {
            return 0;
        }
        List<String> values = headers.getAll(HttpHeaderNames.SET_COOKIE);
        int dropped = 0;
        for (String v : values) {
            if (isOwnCookie(setCookieName(v))) {
                dropped++;
            }
        }
        if (dropped > 0) {
            headers.remove(HttpHeaderNames.SET_COOKIE);
            for (String v : values) {
                if (!isOwnCookie(setCookieName(v))) {
                    headers.add(HttpHeaderNames.SET_COOKIE, v);
                }
            }
        }
        return dropped;
    }

    /** Lower-case, {@code -}-spelled header names (configuration). */
    public static String normalName(String name) {
        return name.strip().replace('_', '-').toLowerCase(Locale.ROOT);
    }
}
