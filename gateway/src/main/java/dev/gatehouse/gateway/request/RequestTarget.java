package dev.gatehouse.gateway.request;

/**
 * The request-target as routes and upstreams see it (RFC 9112 §3.2, RFC 3986 §5.2.4): an origin-form target whose
 * path has its dot-segments removed and repeated slashes merged, so that the prefix a route is matched on is the path
 * the upstream will serve. Otherwise {@code /public/../admin} (or {@code /public/%2e%2e/admin}, or
 * {@code //admin}) would be routed as public and served as admin by an upstream that normalises it — a route bound
 * to an organisation bypassed. A path that climbs above the root is refused.
 *
 * <p>So is a segment some upstream reads as a dot-segment where the gateway sees a name: with path parameters
 * ({@code ..;x}, {@code .;} — Tomcat and Jetty drop them first, so {@code /public/..;/admin} is their {@code /admin}),
 * beside an encoded or back slash ({@code ..%2f}, {@code %2e%2e%5c}, {@code ..\}), and an encoded NUL anywhere in the
 * path. Pure: no I/O, unit-tested.
 */
final class RequestTarget {
    private RequestTarget() {
    }

    /**
     * The target's path, normalised, with its query as it was; the same string when there was nothing to change
     * (the usual case: no allocation). Throws {@link InvalidRequest} for a path that climbs above the root.
     */
    public static String normalize(String target) {
        int query = target.indexOf('?');
        int end = query < 0 ? target.length() : query;
        if (mayBeAmbiguous(target, end)) {
            refuseAmbiguous(target, end);
        }
        if (!needsWork(target, end)) {
            return target;
        }
        String[] parts = target.substring(1, end).split("/", -1);
        String[] out = new String[parts.length];
        int n = 0;
        boolean trailingSlash = false;
        for (int i = 0; i < parts.length; i++) {
            String seg = parts[i];
            boolean last = i == parts.length - 1;
            if (isDot(seg)) {
                trailingSlash = last;
            } else if (isDotDot(seg)) {
                if (n == 0) {
                    throw new InvalidRequest(InvalidRequest.Kind.TARGET, "the path climbs above the root");
                }
                n--;
                trailingSlash = last;
            } else if (seg.isEmpty() && !last) {
                // repeated slash: merged (as nginx's merge_slashes does for matching)
            } else {
                out[n++] = seg;
                trailingSlash = false;
            }
        }
        StringBuilder sb = new StringBuilder(target.length());
        for (int i = 0; i < n; i++) {
            sb.append('/').append(out[i]);
        }
        if (trailingSlash || n == 0) {
            sb.append('/');
        }
        return sb.append(target, end, target.length()).toString();
    }

    /** Whether the path holds ';', '%' or '\\' at all (the usual path holds none: nothing more is looked at). */
    private static boolean mayBeAmbiguous(String t, int end) {
        for (int i = 0; i < end; i++) {
            char c = t.charAt(i);
            if (c == ';' || c == '%' || c == '\\') {
                return true;
            }
        }
        return false;
    }

    /** Throws for a dot-segment with parameters or beside an encoded or back slash, and for an encoded NUL. */
    private static void refuseAmbiguous(String t, int end) {
        int segStart = 1;
        for (int i = 1; i <= end; i++) {
            if (i < end && t.charAt(i) != '/') {
                continue;
            }
            int semi = t.indexOf(';', segStart);
            int name = semi >= 0 && semi < i ? semi : i; // the segment without its parameters
            if (name < i && isDotSegment(t, segStart, name - segStart)) {
                throw new InvalidRequest(InvalidRequest.Kind.TARGET, "a dot-segment with path parameters ('..;')");
            }
            boolean split = false;
            int pieceStart = segStart;
            for (int j = segStart; j <= name; j++) {
                int sep = j < name ? separator(t, j, name) : 0;
                if (sep == 0 && j < name) {
                    continue;
                }
                split |= sep > 0;
                if (split && isDotSegment(t, pieceStart, j - pieceStart)) {
                    throw new InvalidRequest(InvalidRequest.Kind.TARGET,
                            "a dot-segment beside an encoded slash or a backslash");
                }
                j += Math.max(sep - 1, 0);
                pieceStart = j + 1;
            }
            segStart = i + 1;
        }
        for (int i = t.indexOf('%'); i >= 0 && i + 2 < end; i = t.indexOf('%', i + 1)) {
            if (t.charAt(i + 1) == '0' && t.charAt(i + 2) == '0') {
                throw new InvalidRequest(InvalidRequest.Kind.TARGET, "an encoded NUL (%00) in the path");
            }
        }
    }

    /** The length of a slash an upstream may decode at t[j] — "%2f", "%5c" (3) or "\\" (1) — or 0. */
    private static int separator(String t, int j, int to) {
        char c = t.charAt(j);
        if (c == '\\') {
            return 1;
        }
        if (c == '%' && j + 3 <= to) {
            char a = t.charAt(j + 1);
            char b = (char) (t.charAt(j + 2) | 0x20);
            if (a == '2' && b == 'f' || a == '5' && b == 'c') {
                return 3;
            }
        }
        return 0;
    }

    /** "//", or a segment that is "." or ".." in any spelling (%2e is '.'); allocates nothing. */
    private static boolean needsWork(String t, int end) {
        int segStart = 1;
        for (int i = 1; i <= end; i++) {
            if (i == end || t.charAt(i) == '/') {
                int len = i - segStart;
                if (len == 0 && i < end || isDotSegment(t, segStart, len)) {
                    return true;
                }
                segStart = i + 1;
            }
        }
        return false;
    }

    /** t[from, from+len) is ".", "..", or one of them with %2e for a dot. */
    private static boolean isDotSegment(String t, int from, int len) {
        int dots = 0;
        int i = from;
        int to = from + len;
        while (i < to && dots < 3) {
            if (t.charAt(i) == '.') {
                i++;
            } else if (i + 3 <= to && t.charAt(i) == '%' && t.charAt(i + 1) == '2' && (t.charAt(i + 2) | 0x20) == 'e') {
                i += 3;
            } else {
                return false;
            }
            dots++;
        }
        return i == to && (dots == 1 || dots == 2);
    }

    private static boolean isDot(String seg) {
        return seg.equals(".") || seg.equalsIgnoreCase("%2e");
    }

    private static boolean isDotDot(String seg) {
        return switch (seg.length()) {
            case 2 -> seg.equals("..");
            case 4 -> seg.equalsIgnoreCase(".%2e") || seg.equalsIgnoreCase("%2e.");
            case 6 -> seg.equalsIgnoreCase("%2e%2e");
            default -> false;
        };
    }
}
