package dev.gatehouse.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressTest {
    @ParameterizedTest
    @CsvSource({
            "192.0.2.1, 192.0.2.1",
            "0.0.0.0, 0.0.0.0",
            "255.255.255.255, 255.255.255.255",
            "2001:DB8::1, 2001:db8::1",
            "2001:db8:0:0:0:0:0:1, 2001:db8::1",
            "::, ::",
            "::1, ::1",
            "1::, 1::",
            "::ffff:192.0.2.7, 192.0.2.7",
            "::FFFF:c000:0207, 192.0.2.7",
            "0:0:0:0:0:ffff:192.0.2.7, 192.0.2.7",
            "64:ff9b::192.0.2.33, 64:ff9b::c000:221",
            "fe80::1:2:3:4:5, fe80::1:2:3:4:5",
            // RFC 5952: the longest zero run compressed (the first of equals), single zero groups kept
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
            "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
            "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
            "0:0:0:0:0:0:0:0, ::",
            "fe80:0:0:0:0:0:0:0, fe80::",
    })
    void parsesAndPrintsCanonically(String in, String out) {
        assertThat(IpAddress.parse(in).toString()).isEqualTo(out);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "010.0.0.1 | IPv4 octet with a leading zero (ambiguous: octal or decimal?)",
            "1.2.3.00 | IPv4 octet with a leading zero (ambiguous: octal or decimal?)",
            "256.0.0.1 | IPv4 octet out of range",
            "1.2.3.4444 | IPv4 octet out of range",
            "1.2.3 | IPv4 address needs four octets",
            "1.2.3.4.5 | not an IP address",
            "example.com | a hostname, not an IP address",
            "localhost | a hostname, not an IP address",
            "unknown | a hostname, not an IP address",
            "_hidden | not an IP address",
            "0x7f.0.0.1 | not an IP address",
            "1:2:3:4:5:6:7:8:9 | IPv6 address with more than eight groups",
            "1::2::3 | IPv6 address with more than one '::'",
            "12345:: | IPv6 group longer than four hex digits",
            "1:2:3:4:5:6:7 | IPv6 address needs eight groups or '::'",
            ":1:2:3:4:5:6:7 | not an IPv6 address (leading ':')",
            "1:2:3:4:5:6:7: | not an IPv6 address (trailing ':')",
            "::ffff:1.2.3.04 | IPv4 octet with a leading zero (ambiguous: octal or decimal?)",
            "g::1 | not an IPv6 address",
    })
    void refusesWithAReason(String in, String reason) {
        assertThatThrownBy(() -> IpAddress.parse(in))
                .isInstanceOf(InvalidAddressException.class)
                .hasMessage("'" + in + "' is not a valid address: " + reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3.4", "::1", "2001:db8::8:800:200c:417a", "::ffff:10.1.2.3", "ffff::ffff"})
    void agreesWithTheJdkOnLiterals(String literal) throws Exception {
        // InetAddress.getByName does no lookup for a literal; the JDK is the reference here, never on header text
        assertThat(IpAddress.parse(literal)).isEqualTo(IpAddress.of(InetAddress.getByName(literal).getAddress()));
    }

    @Test
    void mappedAndPlainIpv4AreTheSameAddress() {
        assertThat(IpAddress.parse("::ffff:10.0.0.1")).isEqualTo(IpAddress.parse("10.0.0.1"));
        assertThat(IpAddress.parse("::ffff:10.0.0.1").isV4()).isTrue();
    }
}
