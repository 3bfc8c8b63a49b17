package dev.gatehouse.core.net;

/**
 * A mutable IP address as numbers, for parsing and looking up without allocating: the client-IP walk
 * parses each hop into one of these (reused per thread) and makes an {@link IpAddress} only for the
 * address it keeps. Same representation as {@code IpAddress}: IPv4 in the low 32 bits of {@code lo},
 * IPv4-mapped IPv6 stored as IPv4.
 */
public final class AddressBits {
    boolean v4;
    long hi;
    long lo;
    /** Scratch for the IPv6 parser's groups. */
    final int[] groups = new int[8];

    void setV4(int bits) {
        v4 = true;
        hi = 0;
        lo = bits & 0xffffffffL;
    }

    void setV6(long h, long l) {
        if (h == 0 && (l >>> 32) == 0xffffL) {
            setV4((int) l);
            return;
        }
        v4 = false;
        hi = h;
        lo = l;
    }

    public AddressBits set(IpAddress a) {
        v4 = a.isV4();
        hi = a.hi();
        lo = a.lo();
        return this;
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

    /** True when {@code a} is this address. */
    public boolean sameAs(IpAddress a) {
        return a != null && a.isV4() == v4 && a.hi() == hi && a.lo() == lo;
    }

    public IpAddress toAddress() {
        return v4 ? IpAddress.v4((int) lo) : IpAddress.v6(hi, lo);
    }

    @Override
    public String toString() {
        return toAddress().toString();
    }
}
