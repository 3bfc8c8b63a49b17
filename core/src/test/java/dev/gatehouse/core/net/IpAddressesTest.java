package dev.gatehouse.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpAddressesTest {
    private static byte[] v6(String literal) throws Exception {
        // literals only: getByName does no lookup for an IP literal
        return InetAddress.getByName(literal).getAddress();
    }

    @ParameterizedTest
    @CsvSource({
            "2001:DB8:0:0:0:0:0:1, 2001:db8::1",
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
            "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
            "0:0:0:0:0:0:0:0, ::",
            "0:0:0:0:0:0:0:1, ::1",
            "2001:db8:1:1:1:1:1:1, 2001:db8:1:1:1:1:1:1",
            "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
            "fe80:0:0:0:0:0:0:0, fe80::",
    })
    void ipv6IsCanonical(String in, String out) throws Exception {
        assertThat(IpAddresses.format(v6(in))).isEqualTo(out);
    }

    @ParameterizedTest
    @CsvSource({"192.0.2.1", "0.0.0.0", "255.255.255.255"})
    void ipv4AsIs(String in) throws Exception {
        assertThat(IpAddresses.format(InetAddress.getByName(in))).isEqualTo(in);
    }

    @org.junit.jupiter.api.Test
    void mappedIpv4PrintsAsIpv4() {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 203, 0, 113, 7};
        assertThat(IpAddresses.format(mapped)).isEqualTo("203.0.113.7");
    }
}
