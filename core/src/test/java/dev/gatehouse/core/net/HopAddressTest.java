package dev.gatehouse.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HopAddressTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "1.2.3.4:80 | 1.2.3.4",
            "' 1.2.3.4 ' | 1.2.3.4",
            "[2001:db8::1]:443 | 2001:db8::1",
            "[2001:db8::1] | 2001:db8::1",
            "2001:DB8::1 | 2001:db8::1",
            "fe80::1%eth0 | fe80::1",
            "[fe80::1%25eth0]:8080 | fe80::1",
            "::ffff:203.0.113.9 | 203.0.113.9",
            "[::ffff:203.0.113.9]:1 | 203.0.113.9",
            "[2001:db8::7]:_p1 | 2001:db8::7",
            "192.0.2.43:_obf-port.1 | 192.0.2.43",
    })
    void stripsPortsBracketsAndZones(String in, String out) {
        assertThat(HopAddress.parse(in).toString()).isEqualTo(out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "1.2.3.4:", "1.2.3.4:99999", "1.2.3.4:8a", "[2001:db8::1", "[2001:db8::1]443",
            "[1.2.3.4]", "example.com:80", "unknown", "fe80::1%", "010.1.1.1:80", "0.0.0.0", "0.0.0.0:80", "::", "[::]:443",
            "::ffff:0.0.0.0", "1.2.3.4:_", "1.2.3.4:_a b", "[2001:db8::7]:_p!"})
    void refuses(String in) {
        assertThatThrownBy(() -> HopAddress.parse(in)).isInstanceOf(InvalidAddressException.class);
    }

    @org.junit.jupiter.api.Test
    void theUnspecifiedAddressIsRefusedLikeUnknown() {
        assertThatThrownBy(() -> HopAddress.parse("0.0.0.0")).hasMessageContaining("names no client");
        assertThatThrownBy(() -> HopAddress.parse("[::]:80")).hasMessageContaining("names no client");
    }
}
