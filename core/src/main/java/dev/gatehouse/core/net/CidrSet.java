package dev.gatehouse.core.net;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * An immutable set of networks answering "does it contain this address" in O(log n): the networks
 * are turned into sorted, merged, disjoint ranges (one array of starts and one of ends per family)
 * and looked up by binary search. Overlapping and adjacent networks merge, so the size is bounded by
 * the number of distinct ranges, not of entries. No allocation on lookup.
 */
public final class CidrSet {
    public static final CidrSet EMPTY = new CidrSet(new long[0], new long[0], new long[0], new long[0], new long[0], new long[0]);

    // IPv4 ranges: unsigned 32-bit values in longs.
    private final long[] v4Start;
    private final long[] v4End;
    // Large sets only: v4Index[p] = number of IPv4 ranges starting below p << 16, which narrows each
    // search to the ranges of one /16 (256 KiB, so small sets, the usual policy, do without).
    private static final int INDEX_FROM = 1024;
    private final int[] v4Index;
    // IPv6 ranges: each bound as (hi, lo), compared unsigned.
    private final long[] v6StartHi;
    private final long[] v6StartLo;
    private final long[] v6EndHi;
    private final long[] v6EndLo;
    // Large sets only, as for IPv4: an index on the 16 bits that follow the prefix all range starts share
    // (IPv6 policies cluster in 2000::/3 and below, so the top bits alone would not spread them).
    private final int[] v6Index;
    private final int v6CommonBits;
    private final int v6Shift;
    private final long v6IndexMask;

    private CidrSet(long[] v4Start, long[] v4End, long[] v6StartHi, long[] v6StartLo, long[] v6EndHi, long[] v6EndLo) {
        this.v4Start = v4Start;
        this.v4End = v4End;
        this.v4Index = v4Start.length >= INDEX_FROM ? index(v4Start) : null;
        this.v6StartHi = v6StartHi;
        this.v6StartLo = v6StartLo;
        this.v6EndHi = v6EndHi;
        this.v6EndLo = v6EndLo;
        int common = 64;
        int indexBits = 0;
        if (v6StartHi.length >= INDEX_FROM) {
            common = Long.numberOfLeadingZeros(v6StartHi[0] ^ v6StartHi[v6StartHi.length - 1]);
            indexBits = Math.min(16, 64 - common);
        }
        this.v6CommonBits = common;
        this.v6Shift = 64 - common - indexBits;
        this.v6IndexMask = indexBits == 0 ? 0 : (1L << indexBits) - 1;
        this.v6Index = indexBits == 0 ? null : index6(v6StartHi, v6Shift, v6IndexMask);
    }

    public static CidrSet of(Cidr... networks) {
        return of(Arrays.asList(networks));
    }

    public static CidrSet of(Collection<Cidr> networks) {
        List<long[]> v4 = new ArrayList<>();
        List<long[]> v6 = new ArrayList<>();
        for (Cidr c : networks) {
            IpAddress n = c.network();
            if (n.isV4()) {
                v4.add(new long[] {c.firstAddress().lo(), c.lastAddress().lo()});
            } else {
                // raw bounds: a range end may fall in ::ffff:0:0/96, which IpAddress would turn into IPv4
                long hm = Cidr.hiMask(c.prefix());
                long lm = Cidr.loMask(c.prefix());
                v6.add(new long[] {n.hi() & hm, n.lo() & lm, n.hi() | ~hm, n.lo() | ~lm});
            }
        }
        v4.sort((a, b) -> Long.compare(a[0], b[0]));
        List<long[]> m4 = new ArrayList<>();
        for (long[] r : v4) {
            long[] top = m4.isEmpty() ? null : m4.get(m4.size() - 1);
            if (top != null && r[0] <= top[1] + 1) {
                top[1] = Math.max(top[1], r[1]);
            } else {
                m4.add(r.clone());
            }
        }
        v6.sort((a, b) -> compare(a[0], a[1], b[0], b[1]));
        List<long[]> m6 = new ArrayList<>();
        for (long[] r : v6) {
            long[] top = m6.isEmpty() ? null : m6.get(m6.size() - 1);
            if (top != null && adjacentOrOverlapping(top[2], top[3], r[0], r[1])) {
                if (compare(r[2], r[3], top[2], top[3]) > 0) {
                    top[2] = r[2];
                    top[3] = r[3];
                }
            } else {
                m6.add(r.clone());
            }
        }
        long[] s4 = new long[m4.size()];
        long[] e4 = new long[m4.size()];
        for (int i = 0; i < s4.length; i++) {
            s4[i] = m4.get(i)[0];
            e4[i] = m4.get(i)[1];
        }
        int n = m6.size();
        long[] sh = new long[n];
        long[] sl = new long[n];
        long[] eh = new long[n];
        long[] el = new long[n];
        for (int i = 0; i < n; i++) {
            long[] r = m6.get(i);
            sh[i] = r[0];
            sl[i] = r[1];
            eh[i] = r[2];
            el[i] = r[3];
        }
        return new CidrSet(s4, e4, sh, sl, eh, el);
    }

    private static int[] index(long[] starts) {
        int[] idx = new int[65537];
        int r = 0;
        for (int p = 0; p <= 65536; p++) {
            long bound = (long) p << 16;
            while (r < starts.length && starts[r] < bound) {
                r++;
            }
            idx[p] = r;
        }
        return idx;
    }

    private static int[] index6(long[] startsHi, int shift, long mask) {
        int buckets = (int) mask + 1;
        int[] idx = new int[buckets + 1];
        int r = 0;
        for (int p = 0; p <= buckets; p++) {
            while (r < startsHi.length && p < buckets && ((startsHi[r] >>> shift) & mask) < p) {
                r++;
            }
            idx[p] = p == buckets ? startsHi.length : r;
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
            long v = l;
            int lo = 0;
            int hi = v4Start.length - 1;
            if (v4Index != null) {
                // the last range starting at or below v starts in v's /16, or is the one just before
                int p = (int) (v >>> 16);
                lo = v4Index[p];
                hi = v4Index[p + 1] - 1;
            }
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (v4Start[mid] <= v) {
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return hi >= 0 && v <= v4End[hi];
        }
        int lo = 0;
        int hi = v6StartHi.length - 1;
        if (v6Index != null && (v6CommonBits == 0 || ((h ^ v6StartHi[0]) >>> (64 - v6CommonBits)) == 0)) {
            // inside the shared prefix: the last range starting at or below the address starts in its bucket,
            // or is the one just before it
            int p = (int) ((h >>> v6Shift) & v6IndexMask);
            lo = v6Index[p];
            hi = v6Index[p + 1] - 1;
        }
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (compare(v6StartHi[mid], v6StartLo[mid], h, l) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return hi >= 0 && compare(h, l, v6EndHi[hi], v6EndLo[hi]) <= 0;
    }

    /** True when the set holds every IPv4 address, or every IPv6 address. */
    public boolean coversAnEntireFamily() {
        boolean allV4 = v4Start.length == 1 && v4Start[0] == 0 && v4End[0] == 0xffffffffL;
        boolean allV6 = v6StartHi.length == 1 && v6StartHi[0] == 0 && v6StartLo[0] == 0
                && v6EndHi[0] == -1L && v6EndLo[0] == -1L;
        return allV4 || allV6;
    }

    public boolean isEmpty() {
        return v4Start.length == 0 && v6StartHi.length == 0;
    }

    /** Number of disjoint ranges after merging. */
    public int rangeCount() {
        return v4Start.length + v6StartHi.length;
    }
}
