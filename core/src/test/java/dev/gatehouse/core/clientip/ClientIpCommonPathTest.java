package dev.gatehouse.core.clientip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.net.Cidr;
import dev.gatehouse.core.net.CidrSet;
import dev.gatehouse.core.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The allocation-free common path must decide exactly as the full walk does: over a seeded stream of
 * forwarding headers — valid, trusted, forged, bracketed, with ports, blank, odd white space, garbage,
 * several lines, too many hops — both give the same client, source and rejection.
 */
class ClientIpCommonPathTest {
    private static final CidrSet TRUSTED = CidrSet.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8"));
    private static final String[] ENTRIES = {
        "203.0.113.7", "198.51.100.1", "10.0.0.1", "10.9.8.7", "fd00::5", "2001:db8::1", "::ffff:203.0.113.9",
        "[2001:db8::2]:443", "203.0.113.8:8080", "[10.0.0.1]", "unknown", "example.com", "010.0.0.1", "", " ",
        "\t10.0.0.2\t", "\u000b", "\u000b10.0.0.3", "1.2.3", "::", "fe80::1%eth0", "[fd00::7]", "173.245.48.1",
        "103.21.244.9", "2400:cb00::1", "300.1.1.1", "10.0.0.1 , 10.0.0.2",
    };

    static String entryList(Random r) {
        int n = r.nextInt(6);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(r.nextInt(4) == 0 ? "," : ", ");
            }
            sb.append(ENTRIES[r.nextInt(ENTRIES.length)]);
        }
        return sb.toString();
    }

    static List<String> lines(Random r) {
        int n = r.nextInt(8) == 0 ? 2 + r.nextInt(2) : r.nextInt(4) == 0 ? 0 : 1;
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add(r.nextInt(50) == 0 ? "10.0.0.1,".repeat(70) : entryList(r));
        }
        return lines;
    }

    @Test
    void agreesWithTheFullWalk() {
        Random r = new Random(20261125);
        List<List<String>> orders = List.of(List.of("x-forwarded-for"), List.of("cf-connecting-ip", "x-forwarded-for"),
                List.of("x-real-ip", "forwarded", "x-forwarded-for"), List.of("forwarded", "cf-connecting-ip"));
        IpAddress[] peers = {IpAddress.parse("10.1.1.1"), IpAddress.parse("198.51.100.50"), IpAddress.parse("fd00::1"),
            IpAddress.parse("173.245.48.5"), IpAddress.parse("2001:db8::99")};
        int decidedByCommonPath = 0;
        int cases = 0;
        for (List<String> order : orders) {
            for (boolean recursive : new boolean[] {true, false}) {
                ClientIpResolver resolver = new ClientIpResolver(new ClientIpSettings(TRUSTED, order, recursive,
                        Map.of("cf-connecting-ip", CidrSet.of(CloudflareRanges.snapshot().networks()), "x-real-ip", TRUSTED),
                        CloudflareRanges.snapshot()));
                CommonPath common = new CommonPath(resolver.settings());
                for (int i = 0; i < 20_000; i++) {
                    Map<String, List<String>> h = Map.of("x-forwarded-for", lines(r), "cf-connecting-ip", lines(r),
                            "x-real-ip", lines(r), "forwarded", r.nextBoolean() ? List.of() : List.of("for=" + entryList(r)));
                    Headers headers = name -> h.getOrDefault(name, List.of());
                    IpAddress peer = peers[r.nextInt(peers.length)];
                    ClientIpResult full = resolver.explain(peer, headers); // the full walk, always
                    ClientIpResult quick = common.resolve(peer, headers);
                    if (quick != null) {
                        decidedByCommonPath++;
                        assertThat(quick.rejected()).isFalse();
                    }
                    ClientIpResult got = resolver.resolve(peer, headers);
                    String what = "peer " + peer + ", headers " + h + ", order " + order + ", recursive " + recursive;
                    assertThat(got.client()).as(what).isEqualTo(full.client());
                    assertThat(got.source()).as(what).isEqualTo(full.source());
                    assertThat(got.rejection()).as(what).isEqualTo(full.rejection());
                    assertThat(got.peer()).as(what).isEqualTo(full.peer());
                    cases++;
                }
            }
        }
        // the comparison means something only if the common path decided a good share of the cases itself
        assertThat(decidedByCommonPath).as("of %d cases", cases).isGreaterThan(cases / 4);
    }

    @Test
    void returningClientsShareOneResult() {
        ClientIpResolver resolver = new ClientIpResolver(new ClientIpSettings(TRUSTED, List.of("x-forwarded-for"), true,
                Map.of(), CloudflareRanges.snapshot()));
        IpAddress peer = IpAddress.parse("10.1.1.1");
        ClientIpResult first = resolver.resolve(peer, name -> List.of("203.0.113.7, 10.0.0.9"));
        ClientIpResult again = resolver.resolve(peer, name -> List.of("203.0.113.7 ,10.0.0.8"));
        assertThat(again).isSameAs(first);
        assertThat(again.client()).isEqualTo(IpAddress.parse("203.0.113.7"));
        ClientIpResult other = resolver.resolve(peer, name -> List.of("203.0.113.8"));
        assertThat(other.client()).isEqualTo(IpAddress.parse("203.0.113.8"));
    }
}
