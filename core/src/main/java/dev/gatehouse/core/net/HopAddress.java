package dev.gatehouse.core.net;

/**
 * One entry of a forwarding header (X-Forwarded-For element, Forwarded {@code for=} value,
 * X-Real-IP...): an IP literal, possibly with a port ({@code 1.2.3.4:80}, {@code [2001:db8::1]:443}),
 * brackets, or an IPv6 zone id ({@code fe80::1%eth0}), all of which are stripped; a port may be RFC 7239's
 * obfuscated form ({@code [2001:db8::7]:_p1}). {@code 0.0.0.0} and {@code ::} are refused: they name no client,
 * they are "unknown" written as numbers.
 */
public final class HopAddress {
    private HopAddress() {
    }

    /** @throws InvalidAddressException with the reason */
    public static IpAddress parse(CharSequence s) {
        return parseInto(s, 0, s.length(), new AddressBits()).toAddress();
    }

    /**
     * {@link #parse(CharSequence)} of {@code s[from, to)} into {@code out}, allocating nothing unless the
     * entry is invalid.
     *
     * @throws InvalidAddressException with the reason
     */
    public static AddressBits parseInto(CharSequence s, int from, int to, AddressBits out) {
        parseAny(s, from, to, out);
        if (out.hi == 0 && out.lo == 0) {
            throw new InvalidAddressException(s.subSequence(from, to).toString().strip(),
                    "the unspecified address names no client");
        }
        return out;
    }

    private static AddressBits parseAny(CharSequence s, int from, int to, AddressBits out) {
        while (from < to && isSpace(s.charAt(from))) {
            from++;
        }
        while (to > from && isSpace(s.charAt(to - 1))) {
            to--;
        }
        if (from == to) {
            throw new InvalidAddressException("", "empty");
        }
        if (s.charAt(from) == '[') {
            int close = indexOf(s, ']', from, to);
            if (close < 0) {
                throw new InvalidAddressException(s.subSequence(from, to).toString(), "unclosed '['");
            }
            if (close + 1 < to) {
                if (s.charAt(close + 1) != ':' || !isPort(s, close + 2, to)) {
                    throw new InvalidAddressException(s.subSequence(from, to).toString(), "bad port after ']'");
                }
            }
            int end = zoneStart(s, from + 1, close);
            IpAddress.parseInto(s, from + 1, end, out);
            if (out.isV4() && indexOf(s, ':', from + 1, end) < 0) {
                throw new InvalidAddressException(s.subSequence(from, to).toString(), "IPv4 address in brackets");
            }
            return out;
        }
        int firstColon = indexOf(s, ':', from, to);
        if (firstColon >= 0 && indexOf(s, ':', firstColon + 1, to) < 0) {
            // exactly one colon: IPv4 with a port
            if (!isPort(s, firstColon + 1, to)) {
                throw new InvalidAddressException(s.subSequence(from, to).toString(), "bad port");
            }
            IpAddress.parseInto(s, from, firstColon, out);
            if (!out.isV4()) {
                throw new InvalidAddressException(s.subSequence(from, to).toString(), "not an IP address");
            }
            return out;
        }
        if (firstColon >= 0) {
            return IpAddress.parseInto(s, from, zoneStart(s, from, to), out);
        }
        return IpAddress.parseInto(s, from, to, out);
    }

    private static int zoneStart(CharSequence s, int from, int to) {
        int pct = indexOf(s, '%', from, to);
        if (pct < 0) {
            return to;
        }
        if (pct == to - 1) {
            throw new InvalidAddressException(s.subSequence(from, to).toString(), "empty IPv6 zone id");
        }
        return pct;
    }

    private static boolean isPort(CharSequence s, int from, int to) {
        if (from < to && s.charAt(from) == '_') {
            return isObfuscatedPort(s, from + 1, to);
        }
        if (from >= to || to - from > 5) {
            return false;
        }
        int port = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            port = port * 10 + (c - '0');
        }
        return port <= 65535;
    }

    /** RFC 7239 §6.3 obfport after its "_": 1*(ALPHA / DIGIT / "." / "_" / "-"). */
    private static boolean isObfuscatedPort(CharSequence s, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(CharSequence s, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }
}
