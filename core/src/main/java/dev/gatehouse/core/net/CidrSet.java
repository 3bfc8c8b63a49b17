package dev.gatehouse.core.net;

import java.util.Arrays;
import java.util.Collection;

/**
 * An immutable set of networks answering "does it contain this address" in O(log n): the networks
 * are turned into sorted, merged, disjoint ranges and looked up by binary search. Overlapping and
 * adjacent networks merge, so the size is bounded by the number of distinct ranges, not of entries.
 * No allocation on lookup.
 *
 * <p>Compact, since a gateway holds one or two per policy and a fleet has a million entries: the IPv4
 * ranges are one {@code int[]} of (start, end) pairs, 8 bytes a range, each bound stored with its sign bit
 * flipped so that a signed comparison orders them as the unsigned addresses they are; the IPv6 ranges one
 * {@code long[]} of (start hi, start lo, end hi, end lo) quads, 32 bytes a range. No object per range, no
 * array for an absent family (one shared empty array), and one shared {@link #EMPTY} set. A {@link Builder}
 * makes a set from bounds without a {@link Cidr} per entry.
 */
public final class CidrSet {
    private static final int[] NO_V4 = new int[0];
    private static final long[] NO_V6 = new long[0];
    public static final CidrSet EMPTY = new CidrSet(NO_V4, NO_V6);

    /** Flips the sign bit: unsigned order becomes signed order. */
    private static final int FLIP = 0x80000000;
    /** Sets with this many ranges of a family get an index narrowing each search (small ones, the usual policy, do without). */
    private static final int INDEX_FROM = 1024;

    // IPv4: pairs (start ^ FLIP, end ^ FLIP), sorted, disjoint.
    private final int[] v4;
    // Large sets only: v4Index[p] = number of IPv4 ranges starting below p << 16, which narrows each search to the
    // ranges of one /16 (256 KiB).
    private final int[] v4Index;
    // IPv6: quads (start hi, start lo, end hi, end lo), compared unsigned, sorted, disjoint.
    private final long[] v6;
    // Large sets only, as for IPv4.
    private final V6Index v6Index;

    /**
     * An index on the 16 bits that follow the prefix all IPv6 range starts share (IPv6 policies cluster in 2000::/3
     * and below, so the top bits alone would not spread them).
     */
    private static final class V6Index {
        final int[] buckets;
        final int commonBits;
        final int shift;
        final long mask;
        final long firstStartHi;

        V6Index(long[] v6) {
            int n = v6.length / 4;
            firstStartHi = v6[0];
            commonBits = Long.numberOfLeadingZeros(v6[0] ^ v6[(n - 1) * 4]);
            int indexBits = Math.min(16, 64 - commonBits);
            shift = 64 - commonBits - indexBits;
            mask = indexBits == 0 ? 0 : (1L << indexBits) - 1;
            int count = (int) mask + 1;
            buckets = new int[count + 1];
            int r = 0;
            for (int p = 0; p <= count; p++) {
                while (r < n && p < count && ((v6[r * 4] >>> shift) & mask) < p) {
                    r++;
                }
                buckets[p] = p == count ? n : r;
            }
        }

        /** True when {@code h} shares the prefix, so that its bucket bounds the search. */
        boolean covers(long h) {
            return commonBits == 0 || ((h ^ firstStartHi) >>> (64 - commonBits)) == 0;
        }

        int bucket(long h) {
            return (int) ((h >>> shift) & mask);
        }
    }

    private CidrSet(int[] v4, long[] v6) {
        this.v4 = v4;
        this.v4Index = v4.length / 2 >= INDEX_FROM ? index(v4) : null;
        this.v6 = v6;
        this.v6Index = v6.length / 4 >= INDEX_FROM ? new V6Index(v6) : null;
    }

    public static CidrSet of(Cidr... networks) {
        return of(Arrays.asList(networks));
    }

    public static CidrSet of(Collection<Cidr> networks) {
        if (networks.isEmpty()) {
            return EMPTY;
        }
        Builder b = new Builder();
        for (Cidr c : networks) {
            b.add(c);
        }
        return b.build();
    }

    /**
     * Collects networks as bounds, then sorts and merges them into a set: what a loader uses to build sets
     * from a million rows without an object per row. Not thread-safe; reusable after {@link #build()}.
     */
    public static final class Builder {
        // IPv4 ranges as ((start << 32) | end) ^ Long.MIN_VALUE: a signed sort orders them by start, then end
        private long[] v4 = NO_V6;
        private int n4;
        // IPv6 ranges as quads, sorted by an index at build time
        private long[] v6 = NO_V6;
        private int n6;

        public Builder add(Cidr c) {
            IpAddress n = c.network();
            if (n.isV4()) {
                return addV4(c.firstAddress().lo(), c.lastAddress().lo());
            }
            // raw bounds: a range end may fall in ::ffff:0:0/96, which IpAddress would turn into IPv4
            long hm = Cidr.hiMask(c.prefix());
            long lm = Cidr.loMask(c.prefix());
            return addV6(n.hi() & hm, n.lo() & lm, n.hi() | ~hm, n.lo() | ~lm);
        }

        /** An IPv4 range: unsigned 32-bit bounds, inclusive. */
        public Builder addV4(long first, long last) {
            if (n4 == v4.length) {
                v4 = Arrays.copyOf(v4, Math.max(4, n4 * 2));
            }
            v4[n4++] = ((first << 32) | (last & 0xffffffffL)) ^ Long.MIN_VALUE;
            return this;
        }

        /** An IPv6 range: 128-bit bounds as (hi, lo) pairs, inclusive. */
        public Builder addV6(long firstHi, long firstLo, long lastHi, long lastLo) {
            if (n6 * 4 == v6.length) {
                v6 = Arrays.copyOf(v6, Math.max(4, n6 * 8));
            }
            int i = n6++ * 4;
            v6[i] = firstHi;
            v6[i + 1] = firstLo;
            v6[i + 2] = lastHi;
            v6[i + 3] = lastLo;
            return this;
        }

        public boolean isEmpty() {
            return n4 == 0 && n6 == 0;
        }

        /** The set of what was added; the builder is empty again. */
        public CidrSet build() {
            if (isEmpty()) {
                return EMPTY;
            }
            CidrSet s = new CidrSet(mergeV4(), mergeV6());
            n4 = 0;
            n6 = 0;
            if (v4.length > 64) {
                v4 = NO_V6; // a builder reused for small sets does not keep a large one's array
            }
            if (v6.length > 256) {
                v6 = NO_V6;
            }
            return s;
        }

        private int[] mergeV4() {
            if (n4 == 0) {
                return NO_V4;
            }
            Arrays.sort(v4, 0, n4);
            int[] out = new int[n4 * 2];
            int m = 0;
            long start = -1;
            long end = -1;
            for (int i = 0; i < n4; i++) {
                long r = v4[i] ^ Long.MIN_VALUE;
                long s = r >>> 32;
                long e = r & 0xffffffffL;
                if (m > 0 && s <= end + 1) {
                    end = Math.max(end, e);
                } else {
                    if (m > 0) {
                        out[m * 2 - 2] = (int) start ^ FLIP;
                        out[m * 2 - 1] = (int) end ^ FLIP;
                    }
                    start = s;
                    end = e;
                    m++;
                }
            }
            out[m * 2 - 2] = (int) start ^ FLIP;
            out[m * 2 - 1] = (int) end ^ FLIP;
            return m * 2 == out.length ? out : Arrays.copyOf(out, m * 2);
        }

        private long[] mergeV6() {
            if (n6 == 0) {
                return NO_V6;
            }
            Integer[] order = new Integer[n6];
            for (int i = 0; i < n6; i++) {
                order[i] = i;
            }
            long[] q = v6;
            Arrays.sort(order, (a, b) -> compare(q[a * 4], q[a * 4 + 1], q[b * 4], q[b * 4 + 1]));
            long[] out = new long[n6 * 4];
            int m = 0;
            for (Integer idx : order) {
                int i = idx * 4;
                int top = (m - 1) * 4;
                if (m > 0 && adjacentOrOverlapping(out[top + 2], out[top + 3], q[i], q[i + 1])) {
                    if (compare(q[i + 2], q[i + 3], out[top + 2], out[top + 3]) > 0) {
                        out[top + 2] = q[i + 2];
                        out[top + 3] = q[i + 3];
                    }
                } else {
                    System.arraycopy(q, i, out, m * 4, 4);
                    m++;
                }
            }
            return m * 4 == out.length ? out : Arrays.copyOf(out, m * 4);
        }
    }

    private static int[] index(int[] v4) {
        int n = v4.length / 2;
        int[] idx = new int[65537];
        int r = 0;
        for (int p = 0; p <= 65536; p++) {
            long bound = (long) p << 16;
            while (r < n && ((v4[r * 2] ^ FLIP) & 0xffffffffL) < bound) {
                r++;
            }
            idx[p] = r;
        }
        return idx;
    }

    /** True when {@code next} starts at or before {@code end + 1}. */
    private static boolean adjacentOrOverlapping(long endHi, long endLo, long nextHi, long nextLo) {
        if (compare(nextHi, nextLo, endHi, endLo) <= 0) {
            return true;
        }
        long plusLo = endLo + 1;
        long plusHi = plusLo == 0 ? endHi + 1 : endHi;
        if (endHi == -1L && endLo == -1L) {
            return true;
        }
        return plusHi == nextHi && plusLo == nextLo;
    }

    private static int compare(long aHi, long aLo, long bHi, long bLo) {
        int c = Long.compareUnsigned(aHi, bHi);
        return c != 0 ? c : Long.compareUnsigned(aLo, bLo);
    }

    public boolean contains(IpAddress a) {
        return contains(a.isV4(), a.hi(), a.lo());
    }

    public boolean contains(AddressBits a) {
        return contains(a.isV4(), a.hi(), a.lo());
    }

    private boolean contains(boolean isV4, long h, long l) {
        if (isV4) {
            int v = (int) l ^ FLIP;
            int lo = 0;
            int hi = v4.length / 2 - 1;
            if (v4Index != null) {
                // the last range starting at or below v starts in v's /16, or is the one just before
                int p = (int) (l >>> 16);
                lo = v4Index[p];
                hi = v4Index[p + 1] - 1;
            }
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (v4[mid * 2] <= v) {
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return hi >= 0 && v <= v4[hi * 2 + 1];
        }
        int lo = 0;
        int hi = v6.length / 4 - 1;
        if (v6Index != null && v6Index.covers(h)) {
            // inside the shared prefix: the last range starting at or below the address starts in its bucket,
            // or is the one just before it
            int p = v6Index.bucket(h);
            lo = v6Index.buckets[p];
            hi = v6Index.buckets[p + 1] - 1;
        }
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (compare(v6[mid * 4], v6[mid * 4 + 1], h, l) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return hi >= 0 && compare(h, l, v6[hi * 4 + 2], v6[hi * 4 + 3]) <= 0;
    }

    /** True when the set holds every IPv4 address, or every IPv6 address. */
    public boolean coversAnEntireFamily() {
        boolean allV4 = v4.length == 2 && v4[0] == (0 ^ FLIP) && v4[1] == (0xffffffff ^ FLIP);
        boolean allV6 = v6.length == 4 && v6[0] == 0 && v6[1] == 0 && v6[2] == -1L && v6[3] == -1L;
        return allV4 || allV6;
    }

    public boolean isEmpty() {
        return v4.length == 0 && v6.length == 0;
    }

    /** Number of disjoint ranges after merging. */
    public int rangeCount() {
        return v4.length / 2 + v6.length / 4;
    }
}
