package dev.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** client-ip explain on the README's Cloudflare -> ALB -> nginx -> Gatehouse example. */
class ClientIpCommandTest {
    @TempDir
    Path dir;

    private Path config() throws Exception {
        Path f = dir.resolve("gatehouse.conf");
        Files.writeString(f, "gatehouse.client-ip {\n"
                + "  trusted-proxies = [\"10.0.0.0/16\", cloudflare]\n"
                + "  headers = [\"CF-Connecting-IP\", \"X-Forwarded-For\"]\n"
                + "}\n");
        return f;
    }

    @Test
    void explainsTheWorkedExample() throws Exception {
        CliRun r = CliRun.of("client-ip", "explain", "--config", config().toString(), "--peer", "10.0.2.2",
                "-H", "CF-Connecting-IP: 198.51.100.77",
                "-H", "X-Forwarded-For: 198.51.100.77, 173.245.48.10, 10.0.1.1");
        assertThat(r.code()).isEqualTo(0);
        assertThat(r.out()).containsPattern("peer\\s+10\\.0\\.2\\.2\\s+trusted proxy")
                .containsPattern("cf-connecting-ip\\s+198\\.51\\.100\\.77\\s+client \\(set by x-forwarded-for\\[1\\] 173\\.245\\.48\\.10, an allowed setter\\)")
                .endsWith("client: 198.51.100.77 (from cf-connecting-ip)\n");
    }

    @Test
    void forgedHeaderIsShownIgnoredAsJson() throws Exception {
        CliRun r = CliRun.of("client-ip", "explain", "--config", config().toString(), "--peer", "10.0.2.2", "--json",
                "-H", "CF-Connecting-IP: 1.1.1.1", "-H", "X-Forwarded-For: 203.0.113.66, 10.0.1.1");
        assertThat(r.code()).isEqualTo(0);
        com.fasterxml.jackson.databind.JsonNode doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertThat(doc.get("peer").asText()).isEqualTo("10.0.2.2");
        assertThat(doc.get("client").asText()).isEqualTo("203.0.113.66");
        assertThat(doc.get("source").asText()).isEqualTo("x-forwarded-for");
        assertThat(doc.get("rejection").isNull()).isTrue();
        com.fasterxml.jackson.databind.JsonNode forged = null;
        for (com.fasterxml.jackson.databind.JsonNode hop : doc.get("hops")) {
            if (hop.get("where").asText().equals("cf-connecting-ip")) {
                forged = hop;
            }
        }
        assertThat(forged).as("the forged header is listed").isNotNull();
        assertThat(forged.get("text").asText()).isEqualTo("1.1.1.1");
        assertThat(forged.get("address").isNull()).isTrue();
        assertThat(forged.get("verdict").asText()).isEqualTo("ignored: not delivered by a hop allowed to set it");
    }

    @Test
    void refusedRequestExits1WithTheReason() throws Exception {
        CliRun r = CliRun.of("client-ip", "explain", "--config", config().toString(), "--peer", "10.0.2.2",
                "-H", "X-Forwarded-For: 010.1.1.1, 10.0.1.1");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("refused (400): x-forwarded-for[0]: '010.1.1.1' is not a valid address: IPv4 octet with a leading zero");
    }

    @Test
    void usageErrors() throws Exception {
        assertThat(CliRun.of("client-ip", "explain", "--peer", "not-an-ip").code()).isEqualTo(2);
        assertThat(CliRun.of("client-ip", "explain", "--peer", "not-an-ip").err())
                .isEqualTo("gatehouse-admin: --peer: 'not-an-ip' is not a valid address: a hostname, not an IP address"
                        + " (see 'gatehouse-admin client-ip explain --help')\n");
        CliRun badHeader = CliRun.of("client-ip", "explain", "--peer", "1.2.3.4", "-H", "no colon");
        assertThat(badHeader.code()).isEqualTo(2);
        assertThat(badHeader.err()).startsWith("gatehouse-admin: -H 'no colon': expected 'Name: value'");
        CliRun missing = CliRun.of("client-ip", "explain");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).startsWith("gatehouse-admin: Missing required option: '--peer=IP'");
        assertThat(CliRun.of("client-ip").code()).isEqualTo(2);
    }
}
