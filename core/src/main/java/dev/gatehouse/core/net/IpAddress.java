package dev.gatehouse.core.net;

/**
 * An IPv4 or IPv6 address as numbers: IPv4 in the low 32 bits of {@code lo}; IPv6 as two unsigned
 * 64-bit halves. An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) is always stored as the IPv4
 * address it carries, so trust checks, policies, headers and logs all see one form.
 *
 * <p>Parsing is strict and never touches DNS: a hostname, {@code unknown}, an IPv4 octet with a
 * leading zero ({@code 010.0.0.1} — octal to some parsers, decimal to others) or out of range is
 * refused with the reason.
 */
public final class IpAddress implements Comparable<IpAddress> {
    private final boolean v4;
    private final long hi;
    private final long lo;
    /** The printed form, made on first use (a racy cache, like String's hash: every thread computes the same). */
    private String text;

    private IpAddress(boolean v4, long hi, long lo) {
        this.v4 = v4;
        this.hi = hi;
        this.lo = lo;
    }

    public static IpAddress v4(int bits) {
        return new IpAddress(true, 0, bits & 0xffffffffL);
    }

    /** An IPv6 address from its two halves; a mapped IPv4 address becomes IPv4. */
    public static IpAddress v6(long hi, long lo) {
        if (hi == 0 && (lo >>> 32) == 0xffffL) {
            return new IpAddress(true, 0, lo & 0xffffffffL);
        }
        return new IpAddress(false, hi, lo);
    }

    /** From 4 or 16 bytes (InetAddress.getAddress()). */
    public static IpAddress of(byte[] a) {
        if (a.length == 4) {
            return v4(((a[0] & 0xff) << 24) | ((a[1] & 0xff) << 16) | ((a[2] & 0xff) << 8) | (a[3] & 0xff));
        }
        if (a.length != 16) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + a.length);
        }
        long h = 0;
        long l = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (a[i] & 0xff);
            l = (l << 8) | (a[i + 8] & 0xff);
        }
        return v6(h, l);
    }

    /**
     * Parses an IP literal: dotted-quad IPv4 or RFC 4291 IPv6 text (no brackets, port or zone —
     * see {@link HopAddress} for header entries).
     *
     * @throws InvalidAddressException with the reason
     */
    public static IpAddress parse(CharSequence s) {
        return parse(s, 0, s.length());
    }

    public static IpAddress parse(CharSequence s, int from, int to) {
        return parseInto(s, from, to, new AddressBits()).toAddress();
    }

    /** {@link #parse(CharSequence, int, int)} into {@code out}, allocating nothing unless the text is invalid. */
    public static AddressBits parseInto(CharSequence s, int from, int to, AddressBits out) {
        if (from >= to) {
            throw new InvalidAddressException(s.subSequence(from, to).toString(), "empty");
        }
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == ':') {
                parseV6(s, from, to, out);
                return out;
            }
        }
        out.setV4(parseV4(s, from, to, from, to));
        return out;
    }

    private static int parseV4(CharSequence s, int from, int to, int errFrom, int errTo) {
        int value = 0;
        int octets = 0;
        int i = from;
        while (true) {
            int start = i;
            int octet = 0;
            while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                octet = octet * 10 + (s.charAt(i) - '0');
                i++;
                if (i - start > 3) {
                    throw invalid(s, errFrom, errTo, "IPv4 octet out of range");
                }
            }
            if (i == start) {
                throw invalid(s, errFrom, errTo, looksLikeHostname(s, from, to) ? "a hostname, not an IP address"
                        : "not an IP address");
            }
            if (i - start > 1 && s.charAt(start) == '0') {
                throw invalid(s, errFrom, errTo, "IPv4 octet with a leading zero (ambiguous: octal or decimal?)");
            }
            if (octet > 255) {
                throw invalid(s, errFrom, errTo, "IPv4 octet out of range");
            }
            value = (value << 8) | octet;
            octets++;
            if (i == to) {
                break;
            }
            if (s.charAt(i) != '.' || octets == 4) {
                throw invalid(s, errFrom, errTo, looksLikeHostname(s, from, to) ? "a hostname, not an IP address"
                        : "not an IP address");
            }
            i++;
        }
        if (octets != 4) {
            throw invalid(s, errFrom, errTo, "IPv4 address needs four octets");
        }
        return value;
    }

    private static void parseV6(CharSequence s, int from, int to, AddressBits out) {
        int[] groups = out.groups;
        int count = 0;
        int compressAt = -1;
        int i = from;
        if (to - from >= 2 && s.charAt(from) == ':' && s.charAt(from + 1) == ':') {
            compressAt = 0;
            i = from + 2;
            if (i == to) {
                out.setV6(0, 0);
                return;
            }
        } else if (s.charAt(from) == ':') {
            throw invalid(s, from, to, "not an IPv6 address (leading ':')");
        }
        while (i < to) {
            int start = i;
            int g = 0;
            while (i < to && hex(s.charAt(i)) >= 0) {
                g = (g << 4) | hex(s.charAt(i));
                i++;
                if (i - start > 4) {
                    throw invalid(s, from, to, "IPv6 group longer than four hex digits");
                }
            }
            if (i < to && s.charAt(i) == '.') {
                // embedded IPv4 in the last 32 bits
                if (count > 6) {
                    throw invalid(s, from, to, "not an IPv6 address");
                }
                int v4 = parseV4(s, start, to, from, to);
                groups[count++] = v4 >>> 16;
                groups[count++] = v4 & 0xffff;
                i = to;
                break;
            }
            if (i == start) {
                throw invalid(s, from, to, "not an IPv6 address");
            }
            if (count == 8) {
                throw invalid(s, from, to, "IPv6 address with more than eight groups");
            }
            groups[count++] = g;
            if (i == to) {
                break;
            }
            if (s.charAt(i) != ':') {
                throw invalid(s, from, to, "not an IPv6 address");
            }
            i++;
            if (i < to && s.charAt(i) == ':') {
                if (compressAt >= 0) {
                    throw invalid(s, from, to, "IPv6 address with more than one '::'");
                }
                compressAt = count;
                i++;
            } else if (i == to) {
                throw invalid(s, from, to, "not an IPv6 address (trailing ':')");
            }
        }
        if (compressAt >= 0) {
            if (count > 7) {
                throw invalid(s, from, to, "IPv6 address with '::' and eight groups");
            }
            int move = count - compressAt;
            System.arraycopy(groups, compressAt, groups, 8 - move, move);
            for (int k = compressAt; k < 8 - move; k++) {
                groups[k] = 0;
            }
        } else if (count != 8) {
            throw invalid(s, from, to, "IPv6 address needs eight groups or '::'");
        }
        long h = 0;
        long l = 0;
        for (int k = 0; k < 4; k++) {
            h = (h << 16) | groups[k];
            l = (l << 16) | groups[k + 4];
        }
        out.setV6(h, l);
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static boolean looksLikeHostname(CharSequence s, int from, int to) {
        if (to - from > 1 && s.charAt(from) == '0' && (s.charAt(from + 1) == 'x' || s.charAt(from + 1) == 'X')) {
            return false; // hexadecimal IPv4 (0x7f.0.0.1): not a name, not acceptable either
        }
        boolean letter = false;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (Character.isLetter(c)) {
                letter = true;
            } else if (!(c == '.' || c == '-' || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return letter;
    }

    private static InvalidAddressException invalid(CharSequence s, int from, int to, String reason) {
        return new InvalidAddressException(s.subSequence(from, to).toString(), reason);
    }

    public boolean isV4() {
        return v4;
    }

    public long hi() {
        return hi;
    }

    public long lo() {
        return lo;
    }

    /** The address in the form Gatehouse prints everywhere (RFC 5952 for IPv6); printed once per object. */
    @Override
    public String toString() {
        String t = text;
        if (t == null) {
            t = format();
            text = t;
        }
        return t;
    }

    private String format() {
        if (v4) {
            return ((lo >>> 24) & 0xff) + "." + ((lo >>> 16) & 0xff) + "." + ((lo >>> 8) & 0xff) + "." + (lo & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 4; i++) {
            groups[i] = (int) (hi >>> (48 - 16 * i)) & 0xffff;
            groups[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xffff;
        }
        // RFC 5952 4.2: compress the longest run of two or more zero groups, the first if tied; lowercase hex.
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    /** IPv4 addresses order before IPv6 ones; within a family, numerically. */
    @Override
    public int compareTo(IpAddress o) {
        if (v4 != o.v4) {
            return v4 ? -1 : 1;
        }
        int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpAddress a && a.v4 == v4 && a.hi == hi && a.lo == lo;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(hi * 31 + lo) ^ (v4 ? 1 : 0);
    }
}
