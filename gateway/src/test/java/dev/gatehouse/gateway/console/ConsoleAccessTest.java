package dev.gatehouse.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The host names a loopback console answers (DNS rebinding: any other name is a page from elsewhere). */
class ConsoleAccessTest {
    @Test
    void loopbackHostNamesOnly() {
        for (String ok : new String[] {"127.0.0.1", "127.0.0.1:9091", "127.255.0.1", "localhost", "LocalHost:1",
            "[::1]", "[::1]:9091"}) {
            assertThat(ConsoleAccess.loopbackHost(ok)).as(ok).isTrue();
        }
        for (String no : new String[] {null, "", "attacker.example", "attacker.example:9091", "127.0.0.1.nip.io",
            "localhost.attacker.example", "127.0.0.256", "128.0.0.1", "[::2]", "[::1]x", "[::1]:", "127.0.0.1:abc",
            "localhost:9091:1", "0.0.0.0", "[::ffff:127.0.0.1]"}) {
            assertThat(ConsoleAccess.loopbackHost(no)).as(String.valueOf(no)).isFalse();
        }
    }
}
