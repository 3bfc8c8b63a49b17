package dev.gatehouse.core.clientip;

import dev.gatehouse.core.net.Cidr;
import dev.gatehouse.core.net.CidrSet;
import dev.gatehouse.core.net.InvalidAddressException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A list of networks as operators write it: CIDRs, single addresses and named presets
 * ({@code loopback}, {@code private}, {@code cloudflare}).
 */
public final class NetworkList {
    public static final List<String> PRESETS = List.of("loopback", "private", "cloudflare");

    private NetworkList() {
    }

    /**
     * Parses each entry; the exception names the entry and the reason.
     *
     * @param cloudflare the current Cloudflare ranges (snapshot or refreshed file)
     */
    public static List<Cidr> parse(List<String> entries, CloudflareRanges cloudflare) {
        List<Cidr> out = new ArrayList<>();
        for (String raw : entries) {
            String e = raw.trim();
            switch (e.toLowerCase(Locale.ROOT)) {
                case "loopback" -> out.addAll(cidrs("127.0.0.0/8", "::1/128"));
                case "private" -> out.addAll(cidrs("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"));
                case "cloudflare" -> out.addAll(cloudflare.networks());
                default -> {
                    try {
                        out.add(Cidr.parse(e));
                    } catch (InvalidAddressException ex) {
                        throw new IllegalArgumentException("'" + e + "' is neither a network nor a preset ("
                                + String.join(", ", PRESETS) + "): " + ex.reason());
                    }
                }
            }
        }
        return out;
    }

    /** Parses a trust list and refuses one that covers every address (anyone could then forge the client IP). */
    public static CidrSet trustList(List<String> entries, CloudflareRanges cloudflare) {
        CidrSet set = CidrSet.of(parse(entries, cloudflare));
        if (set.coversAnEntireFamily()) {
            throw new IllegalArgumentException("trusting every address (0.0.0.0/0 or ::/0) would let any client"
                    + " choose its own IP; list only your proxies' networks");
        }
        return set;
    }

    private static List<Cidr> cidrs(String... s) {
        return java.util.Arrays.stream(s).map(Cidr::parse).toList();
    }
}
