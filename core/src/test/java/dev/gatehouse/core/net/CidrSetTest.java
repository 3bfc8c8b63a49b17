package dev.gatehouse.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrSetTest {
    private static CidrSet set(String... cidrs) {
        List<Cidr> l = new ArrayList<>();
        for (String c : cidrs) {
            l.add(Cidr.parse(c));
        }
        return CidrSet.of(l);
    }

    private static IpAddress ip(String s) {
        return IpAddress.parse(s);
    }

    @Test
    void containsAcrossBothFamilies() {
        CidrSet s = set("10.0.0.0/8", "192.168.1.0/24", "2001:db8::/32", "203.0.113.7");
        assertThat(s.contains(ip("10.255.255.255"))).isTrue();
        assertThat(s.contains(ip("11.0.0.0"))).isFalse();
        assertThat(s.contains(ip("192.168.1.200"))).isTrue();
        assertThat(s.contains(ip("192.168.2.1"))).isFalse();
        assertThat(s.contains(ip("203.0.113.7"))).isTrue();
        assertThat(s.contains(ip("203.0.113.8"))).isFalse();
        assertThat(s.contains(ip("2001:db8:ffff::1"))).isTrue();
        assertThat(s.contains(ip("2001:db9::"))).isFalse();
        assertThat(s.contains(ip("::ffff:10.1.2.3"))).as("mapped IPv4 is IPv4").isTrue();
        assertThat(CidrSet.EMPTY.contains(ip("1.1.1.1"))).isFalse();
    }

    @Test
    void overlappingAndAdjacentRangesMerge() {
        CidrSet s = set("10.0.0.0/9", "10.128.0.0/9", "10.1.0.0/16", "2001:db8::/33", "2001:db8:8000::/33");
        assertThat(s.rangeCount()).isEqualTo(2);
    }

    @Test
    void recognisesTheWholeAddressSpace() {
        assertThat(set("0.0.0.0/0").coversAnEntireFamily()).isTrue();
        assertThat(set("0.0.0.0/1", "128.0.0.0/1").coversAnEntireFamily()).isTrue();
        assertThat(set("::/0").coversAnEntireFamily()).isTrue();
        assertThat(set("::/1", "8000::/1").coversAnEntireFamily()).isTrue();
        assertThat(set("0.0.0.0/1", "2001:db8::/32").coversAnEntireFamily()).isFalse();
    }

    @Test
    void ipv6RangeSpanningTheMappedBlockKeepsItsBounds() {
        CidrSet s = set("::/80");
        assertThat(s.contains(ip("::1"))).isTrue();
        assertThat(s.contains(ip("::1:0:0:0"))).isFalse();
    }

    @Test
    void indexedIpv6SetAnswersOutsideItsSharedPrefixToo() {
        List<Cidr> cidrs = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            cidrs.add(new Cidr(IpAddress.v6(0x20010db800000000L | ((long) i << 16), 0), 48));
        }
        cidrs.add(Cidr.parse("2001:db8:ffff::/48"));
        CidrSet s = CidrSet.of(cidrs);
        assertThat(s.contains(ip("2001:db8:7:ffff::1"))).isTrue();
        assertThat(s.contains(ip("2001:db8:ffff:1::"))).isTrue();
        assertThat(s.contains(ip("2001:db8:8000::1"))).isFalse();
        assertThat(s.contains(ip("2001:db7:ffff::1"))).as("below the shared prefix").isFalse();
        assertThat(s.contains(ip("2001:db9::1"))).as("above it").isFalse();
        assertThat(s.contains(ip("::1"))).isFalse();
    }

    @Test
    void aBuilderTakesBoundsAndIsReusable() {
        CidrSet.Builder b = new CidrSet.Builder();
        b.addV4(0x0a000000L, 0x0a0000ffL).addV4(0xcb007100L, 0xcb0071ffL).addV4(0x0a000100L, 0x0a0001ffL)
                .add(Cidr.parse("2001:db8::/32"));
        CidrSet s = b.build();
        assertThat(s.rangeCount()).as("10.0.0.0/24 and 10.0.1.0/24 merge").isEqualTo(3);
        assertThat(s.contains(ip("10.0.1.255"))).isTrue();
        assertThat(s.contains(ip("10.0.2.0"))).isFalse();
        assertThat(s.contains(ip("203.0.113.9"))).isTrue();
        assertThat(s.contains(ip("2001:db8::1"))).isTrue();
        assertThat(b.isEmpty()).as("emptied by build").isTrue();
        CidrSet next = b.addV4(0xfffffff0L, 0xffffffffL).build();
        assertThat(next.contains(ip("255.255.255.255"))).isTrue();
        assertThat(next.contains(ip("10.0.0.1"))).as("nothing of the first set").isFalse();
    }

    @Test
    void emptySetsAreOneSharedInstance() {
        assertThat(CidrSet.of(List.of())).isSameAs(CidrSet.EMPTY);
        assertThat(new CidrSet.Builder().build()).isSameAs(CidrSet.EMPTY);
        assertThat(CidrSet.EMPTY.isEmpty()).isTrue();
        assertThat(CidrSet.EMPTY.contains(ip("::1"))).isFalse();
    }

    @Test
    void boundsAtBothEndsOfTheIpv4SpaceCompareAsUnsigned() {
        CidrSet s = set("0.0.0.0/8", "127.0.0.0/8", "128.0.0.0/8", "255.255.255.0/24");
        assertThat(s.contains(ip("0.0.0.0"))).isTrue();
        assertThat(s.contains(ip("127.255.255.255"))).isTrue();
        assertThat(s.contains(ip("128.0.0.0"))).isTrue();
        assertThat(s.rangeCount()).as("127/8 and 128/8 are adjacent across the sign bit").isEqualTo(3);
        assertThat(s.contains(ip("129.0.0.0"))).isFalse();
        assertThat(s.contains(ip("255.255.255.255"))).isTrue();
        assertThat(s.contains(ip("255.255.254.255"))).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "10.0.0.1/8 | '10.0.0.1/8' is not a valid address: host bits set; the network is 10.0.0.0/8",
            "2001:db8::1/32 | '2001:db8::1/32' is not a valid address: host bits set; the network is 2001:db8::/32",
            "10.0.0.0/33 | '10.0.0.0/33' is not a valid address: prefix length 33 is longer than 32",
            "10.0.0.0/ | '10.0.0.0/' is not a valid address: bad prefix length ''",
            "10.0.0.0/08 | '10.0.0.0/08' is not a valid address: bad prefix length '08'",
            "10.0.0/8 | '10.0.0' is not a valid address: IPv4 address needs four octets",
            "::ffff:4.4.4.4/124 | '::ffff:4.4.4.4/124' is not a valid address: host bits set; the network is ::ffff:4.4.4.0/124",
    })
    void cidrParseErrorsNameTheProblem(String in, String message) {
        assertThatThrownBy(() -> Cidr.parse(in)).hasMessage(message);
    }

    @Test
    void mappedNetworkIsTheIpv4Network() {
        assertThat(Cidr.parse("::ffff:10.0.0.0/104")).isEqualTo(Cidr.parse("10.0.0.0/8"));
    }

    @Test
    void agreesWithALinearScanOnRandomData() {
        Random r = new Random(7);
        List<Cidr> cidrs = new ArrayList<>();
        for (int i = 0; i < 3000; i++) { // past the size at which the /16 index is built
            int prefix = 8 + r.nextInt(25);
            Cidr c = new Cidr(IpAddress.v4(r.nextInt()), prefix);
            cidrs.add(new Cidr(c.firstAddress(), prefix));
            int p6 = 16 + r.nextInt(113);
            Cidr c6 = new Cidr(IpAddress.v6(0x20010db800000000L | (r.nextLong() >>> 32), r.nextLong()), p6);
            if (!c6.firstAddress().isV4()) {
                cidrs.add(new Cidr(c6.firstAddress(), p6));
            }
        }
        CidrSet set = CidrSet.of(cidrs);
        for (int i = 0; i < 20_000; i++) {
            IpAddress a = i % 2 == 0 ? IpAddress.v4(r.nextInt())
                    : IpAddress.v6(0x20010db800000000L | (r.nextLong() >>> 32), r.nextLong());
            if (i % 5 == 0) {
                a = cidrs.get(r.nextInt(cidrs.size())).lastAddress(); // hit the edges too
            }
            IpAddress probe = a;
            boolean expected = cidrs.stream().anyMatch(c -> c.contains(probe));
            assertThat(set.contains(probe)).as("%s", probe).isEqualTo(expected);
        }
    }
}
