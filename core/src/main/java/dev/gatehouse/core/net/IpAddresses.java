package dev.gatehouse.core.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Printing addresses the one way Gatehouse prints them everywhere (X-Real-IP, logs, audit rows):
 * IPv4 dotted quad, IPv6 in RFC 5952 canonical form (lowercase, longest zero run compressed, no
 * zone), and an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) as the IPv4 address it carries.
 */
public final class IpAddresses {
    private IpAddresses() {
    }

    /** Canonical text of an address. Never does a DNS lookup. */
    public static String format(InetAddress address) {
        return format(address.getAddress());
    }

    /** Canonical text of a 4- or 16-byte address. */
    public static String format(byte[] a) {
        if (a.length == 4) {
            return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
        }
        if (a.length != 16) {
            throw new IllegalArgumentException("not an IP address: " + a.length + " bytes");
        }
        if (isMappedV4(a)) {
            return (a[12] & 0xff) + "." + (a[13] & 0xff) + "." + (a[14] & 0xff) + "." + (a[15] & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
        }
        // RFC 5952 4.2: compress the longest run of two or more zero groups, the first if tied.
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

    /** The address with an IPv4-mapped IPv6 address turned into IPv4 and any scope (zone) dropped. */
    public static InetAddress normalize(InetAddress address) {
        byte[] a = address.getAddress();
        try {
            if (a.length == 16 && isMappedV4(a)) {
                return InetAddress.getByAddress(new byte[] {a[12], a[13], a[14], a[15]});
            }
            if (address instanceof Inet6Address v6 && v6.getScopeId() != 0) {
                return InetAddress.getByAddress(a);
            }
            return address;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for 4 or 16 bytes
        }
    }

    static boolean isMappedV4(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff;
    }

    public static boolean isV4(InetAddress a) {
        return a instanceof Inet4Address;
    }
}
