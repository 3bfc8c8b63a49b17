package dev.gatehouse.core.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Upstream URLs: address literals parsed as strictly as every other address in Gatehouse. */
class UpstreamTest {
    @Test
    void anAmbiguousAddressIsRefusedNotGuessed() {
        assertThatThrownBy(() -> Upstream.parse("http://010.0.0.1:8080"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'010.0.0.1' is not a valid address").hasMessageContaining("leading zero")
                .hasMessageContaining("in 'http://010.0.0.1:8080'");
        assertThatThrownBy(() -> Upstream.parse("http://10.1.2:80")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Upstream.parse("http://[2001:db8::1::2]/")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void literalsAreConnectedToAsTheyAreAndNamesAreResolvedLater() throws Exception {
        Upstream v4 = Upstream.parse("http://10.0.0.1:8080/base");
        assertThat(v4.literal()).isEqualTo(java.net.InetAddress.getByAddress(new byte[] {10, 0, 0, 1}));
        assertThat(v4.basePath()).isEqualTo("/base");
        Upstream v6 = Upstream.parse("https://[2001:DB8::1]:8443");
        assertThat(v6.host()).isEqualTo("2001:db8::1");
        assertThat(v6.literal().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:1");
        assertThat(Upstream.parse("http://[::ffff:10.0.0.1]").host()).as("an IPv4-mapped address is IPv4").isEqualTo("10.0.0.1");
        assertThat(Upstream.parse("http://vault.internal:80").literal()).as("a name: resolved when connecting").isNull();
    }
}
