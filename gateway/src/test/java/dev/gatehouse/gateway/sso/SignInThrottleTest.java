package dev.gatehouse.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SignInThrottleTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    void oneAddressGetsItsBurstThenItsRateAndAnotherIsUntouched() {
        SignInThrottle t = new SignInThrottle(3, 1.0);
        long now = 0;
        assertThat(t.take("198.51.100.7", now)).isZero();
        assertThat(t.take("198.51.100.7", now)).isZero();
        assertThat(t.take("198.51.100.7", now)).isZero();
        assertThat(t.take("198.51.100.7", now)).as("Retry-After, in whole seconds").isEqualTo(1);
        assertThat(t.take("203.0.113.9", now)).as("another address").isZero();
        assertThat(t.take("198.51.100.7", now + SECOND)).as("a token a second").isZero();
        assertThat(t.take("198.51.100.7", now + SECOND)).isEqualTo(1);
    }

    @Test
    void theMapStaysBoundedWithoutLockingOutAnyone() {
        SignInThrottle t = new SignInThrottle(2, 1.0);
        for (int i = 0; i < SignInThrottle.MAX_CLIENTS + 10; i++) {
            assertThat(t.take("10.0." + (i / 256) + "." + (i % 256), 0)).isZero();
        }
        assertThat(t.take("192.0.2.1", 0)).as("a new address, however many came before").isZero();
    }

    @Test
    void anIpv6ClientIsItsSlash64() {
        assertThat(SignInThrottle.key(dev.gatehouse.core.net.IpAddress.parse("2001:db8:1:2:aaaa::1")))
                .isEqualTo(SignInThrottle.key(dev.gatehouse.core.net.IpAddress.parse("2001:db8:1:2:ffff::9")))
                .isEqualTo("2001:db8:1:2::/64");
        assertThat(SignInThrottle.key(dev.gatehouse.core.net.IpAddress.parse("198.51.100.7"))).isEqualTo("198.51.100.7");
    }
}
