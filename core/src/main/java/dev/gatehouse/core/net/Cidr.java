package dev.gatehouse.core.net;

/**
 * A network: an address and a prefix length. {@code 10.0.0.0/8}, {@code 2001:db8::/32}; a bare
 * address is a /32 or /128. A network with host bits set ({@code 10.0.0.1/8}) is refused, naming the
 * network that was probably meant, rather than silently truncated. {@code ::ffff:10.0.0.0/104} is
 * {@code 10.0.0.0/8}.
 */
public record Cidr(IpAddress network, int prefix) {

    public static Cidr parse(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        if (slash < 0) {
            IpAddress a = IpAddress.parse(s);
            return new Cidr(a, a.isV4() ? 32 : 128);
        }
        IpAddress a = IpAddress.parse(s, 0, slash);
        String len = s.substring(slash + 1);
        int prefix;
        if (len.isEmpty() || len.length() > 3 || !len.chars().allMatch(c -> c >= '0' && c <= '9')
                || (len.length() > 1 && len.charAt(0) == '0')) {
            throw new InvalidAddressException(s, "bad prefix length '" + len + "'");
        }
        prefix = Integer.parseInt(len);
        boolean mappedV4 = a.isV4() && s.substring(0, slash).contains(":");
        if (mappedV4) {
            if (prefix < 96) {
                throw new InvalidAddressException(s, "an IPv4-mapped network needs a prefix of at least 96");
            }
            prefix -= 96;
        }
        int max = a.isV4() ? 32 : 128;
        if (prefix > max) {
            throw new InvalidAddressException(s, "prefix length " + prefix + " is longer than " + max);
        }
        Cidr c = new Cidr(a, prefix);
        if (!c.firstAddress().equals(a)) {
            throw new InvalidAddressException(s, "host bits set; the network is " + (mappedV4 ? "::ffff:" : "")
                    + c.firstAddress() + "/" + (mappedV4 ? prefix + 96 : prefix));
        }
        return c;
    }

    /** The network address: the address with its host bits cleared. */
    public IpAddress firstAddress() {
        if (network.isV4()) {
            long mask = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
            return IpAddress.v4((int) (network.lo() & mask));
        }
        return IpAddress.v6(network.hi() & hiMask(prefix), network.lo() & loMask(prefix));
    }

    /** The last address of the network. */
    public IpAddress lastAddress() {
        if (network.isV4()) {
            long host = prefix == 32 ? 0 : (0xffffffffL >>> prefix);
            return IpAddress.v4((int) (network.lo() | host));
        }
        return IpAddress.v6(network.hi() | ~hiMask(prefix), network.lo() | ~loMask(prefix));
    }

    static long hiMask(int prefix) {
        return prefix == 0 ? 0 : prefix >= 64 ? -1L : -1L << (64 - prefix);
    }

    static long loMask(int prefix) {
        return prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
    }

    public boolean contains(IpAddress a) {
        if (a.isV4() != network.isV4()) {
            return false;
        }
        if (a.isV4()) {
            long mask = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
            return (a.lo() & mask) == network.lo();
        }
        return (a.hi() & hiMask(prefix)) == network.hi() && (a.lo() & loMask(prefix)) == network.lo();
    }

    @Override
    public String toString() {
        return network + "/" + prefix;
    }
}
