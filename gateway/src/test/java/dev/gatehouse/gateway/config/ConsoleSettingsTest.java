package dev.gatehouse.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.config.ConfigLoader;
import dev.gatehouse.core.net.IpAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console's settings, and the rules that refuse a console reachable from elsewhere without a guard. */
class ConsoleSettingsTest {
    @TempDir
    Path dir;

    @Test
    void offByDefaultOnLoopbackPort9091() throws IOException {
        ConsoleSettings s = load("");
        assertThat(s.enabled()).isFalse();
        assertThat(s.host()).isEqualTo("127.0.0.1");
        assertThat(s.port()).isEqualTo(9091);
        assertThat(s.loopback()).isTrue();
        assertThat(s.url(9091)).isEqualTo("http://127.0.0.1:9091");
    }

    @Test
    void onLoopbackNobodySignsIn() throws IOException {
        for (String host : new String[] {"127.0.0.1", "127.9.9.9", "::1", "[::1]", "localhost", "::ffff:127.0.0.1"}) {
            ConsoleSettings s = load("gatehouse.console { enabled = true, host = \"" + host + "\" }");
            assertThat(s.loopback()).as(host).isTrue();
            assertThat(s.signInOrg()).isNull();
        }
    }

    @Test
    void elsewhereWithoutSignInOrgTheStartIsRefusedWithOneLine() throws IOException {
        for (String host : new String[] {"0.0.0.0", "::", "10.0.0.5", "console.internal", "128.0.0.1"}) {
            assertThatThrownBy(() -> load("gatehouse.console { enabled = true, host = \"" + host + "\" }"))
                    .as(host).isInstanceOf(ConfigError.class)
                    .hasMessageStartingWith("configuration: gatehouse.console.host: the console is bound to " + host
                            + ", not a loopback address: set console.sign-in-org")
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void elsewhereWithoutAllowOrPublicBaseUrlIsRefused() throws IOException {
        assertThatThrownBy(() -> load("gatehouse.console { enabled = true, host = \"0.0.0.0\", sign-in-org = Acme }"))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("configuration: gatehouse.console.allow: the console is bound to 0.0.0.0, not a"
                        + " loopback address: list the networks it answers");
        assertThatThrownBy(() -> load("gatehouse.console { enabled = true, host = \"0.0.0.0\", sign-in-org = Acme,"
                + " allow = [\"10.0.0.0/8\"] }"))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("configuration: gatehouse.console.sign-in-org: admins sign in to the console at"
                        + " gatehouse.sso.public-base-url, which is not set");
        assertThatThrownBy(() -> load("gatehouse.console { enabled = true, allow = [\"10.0.0.0/33\"] }"))
                .isInstanceOf(ConfigError.class).hasMessageContaining("gatehouse.console.allow: '10.0.0.0/33'");
    }

    @Test
    void elsewhereWithEveryGuardItStarts() throws IOException {
        ConsoleSettings s = load("gatehouse.sso.public-base-url = \"https://gatehouse.example.com\"\n"
                + "gatehouse.console { enabled = true, host = \"0.0.0.0\", sign-in-org = Acme, allow = [\"10.0.0.0/8\", private] }");
        assertThat(s.loopback()).isFalse();
        assertThat(s.signInOrg()).isEqualTo("Acme");
        assertThat(s.allow().contains(IpAddress.parse("10.1.2.3"))).isTrue();
        assertThat(s.allow().contains(IpAddress.parse("203.0.113.9"))).isFalse();
    }

    @Test
    void neverOnThePublicOrManagementPort() throws IOException {
        for (String port : new String[] {"8080", "9090"}) {
            assertThatThrownBy(() -> load("gatehouse.console { enabled = true, port = " + port + " }"))
                    .isInstanceOf(ConfigError.class)
                    .hasMessageStartingWith("configuration: gatehouse.console.port: the console has a listener of its own");
        }
    }

    @Test
    void disabledIsNeverRefused() throws IOException {
        assertThat(load("gatehouse.console { host = \"0.0.0.0\" }").enabled()).isFalse();
    }

    private ConsoleSettings load(String text) throws IOException {
        Path f = Files.writeString(dir.resolve("c" + System.nanoTime() + ".conf"), text);
        return ConsoleSettings.from(ConfigLoader.load(f, Map.of()));
    }
}
