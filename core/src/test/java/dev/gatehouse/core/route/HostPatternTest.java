package dev.gatehouse.core.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPatternTest {

    @ParameterizedTest
    @CsvSource({
            "Acme.Example.COM, acme.example.com",
            "acme.example.com., acme.example.com",
            "*.Example.com, *.example.com",
            "10.0.0.5, 10.0.0.5",
            "'[2001:DB8:0::5]', '[2001:db8::5]'",
            "'[::ffff:10.0.0.5]', 10.0.0.5",
            "xn--bcher-kva.example, xn--bcher-kva.example"})
    void configuredHostsAreNormalised(String raw, String normal) {
        assertThat(HostPattern.parse(raw).text()).isEqualTo(normal);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|must not be empty",
            "*|leave 'hosts' out",
            "acme.example.com:8443|without a port",
            "[2001:db8::5]:443|without a port",
            "a.*.example.com|only '*.' at the start",
            "*example.com|only '*.' at the start",
            "acme..example.com|not a host name",
            "bücher.example|xn-- form",
            "acme/x.example.com|not a host name",
            "010.0.0.1|leading zero"})
    void badHostsAreRefusedWithTheReason(String raw, String reason) {
        assertThatThrownBy(() -> HostPattern.parse(raw)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "NULL", value = {
            "acme.example.com, acme.example.com",
            "ACME.example.com:8443, acme.example.com",
            "acme.example.com.:80, acme.example.com",
            "10.0.0.5:8080, 10.0.0.5",
            "'[2001:DB8:0::5]:8443', '[2001:db8::5]'",
            "'[::1]', '[::1]'",
            "NULL, ''",
            "'', ''"})
    void theRequestHostLosesItsPortAndCase(String header, String host) {
        assertThat(HostPattern.requestHost(header)).isEqualTo(host);
    }

    @Test
    void aWildcardMatchesSubdomainsAtAnyDepthButNotItsOwnName() {
        HostPattern w = HostPattern.parse("*.example.com");
        assertThat(w.matches("acme.example.com")).isTrue();
        assertThat(w.matches("a.b.example.com")).isTrue();
        assertThat(w.matches("example.com")).isFalse();
        assertThat(w.matches("badexample.com")).as("a suffix at a label boundary only").isFalse();
        assertThat(w.matches(".example.com")).isFalse();
    }

    @Test
    void hostsAreHostAndPort() {
        assertThat(HostPattern.validHostHeader("tenant.example.com")).isTrue();
        assertThat(HostPattern.validHostHeader("tenant.example.com:8443")).isTrue();
        assertThat(HostPattern.validHostHeader("[2001:db8::1]:80")).isTrue();
        assertThat(HostPattern.validHostHeader("")).isTrue();
        assertThat(HostPattern.validHostHeader("a b")).isFalse();
        assertThat(HostPattern.validHostHeader("a/b")).isFalse();
        assertThat(HostPattern.validHostHeader("user@host")).isFalse();
        assertThat(HostPattern.validHostHeader("host:")).isFalse();
        assertThat(HostPattern.validHostHeader("host:123456")).isFalse();
        assertThat(HostPattern.validHostHeader("[::1")).isFalse();
    }
}
