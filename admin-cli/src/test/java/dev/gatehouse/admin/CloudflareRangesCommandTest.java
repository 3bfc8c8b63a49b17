package dev.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudflareRangesCommandTest {
    @TempDir
    Path dir;
    HttpServer mirror;
    volatile String v4 = "173.245.48.0/20\n103.21.244.0/22\n198.51.100.0/24\n";
    volatile int status = 200;

    @BeforeEach
    void startMirror() throws Exception {
        // A local stand-in for www.cloudflare.com's two plain-text lists (no internet here).
        mirror = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        mirror.createContext("/ips-v4", ex -> reply(ex, v4));
        mirror.createContext("/ips-v6", ex -> reply(ex, "2400:cb00::/32\n2606:4700::/32\n"));
        mirror.start();
    }

    private void reply(com.sun.net.httpserver.HttpExchange ex, String body) throws java.io.IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    @AfterEach
    void stopMirror() {
        mirror.stop(0);
    }

    private String source() {
        return "http://127.0.0.1:" + mirror.getAddress().getPort();
    }

    @Test
    void listsTheSnapshotWithItsDate() {
        CliRun r = CliRun.of("cloudflare-ranges");
        assertThat(r.code()).isEqualTo(0);
        assertThat(r.out()).startsWith("# 22 networks, snapshot 2026-11-25 (built-in snapshot)\n173.245.48.0/20\n");
    }

    @Test
    void nginxBlock() {
        CliRun r = CliRun.of("cloudflare-ranges", "--nginx");
        assertThat(r.out()).contains("set_real_ip_from 173.245.48.0/20;\n").contains("set_real_ip_from 2c0f:f248::/32;\n")
                .endsWith("real_ip_header CF-Connecting-IP;\n");
    }

    @Test
    void updateWritesTheFileTheGatewayThenUses() throws Exception {
        Path out = dir.resolve("cf.txt");
        CliRun r = CliRun.of("cloudflare-ranges", "--update", "--output", out.toString(), "--source", source());
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).contains("Wrote 5 networks to " + out).contains("  + 198.51.100.0/24")
                .endsWith("Set gatehouse.client-ip.cloudflare-ranges-file = \"" + out.toAbsolutePath()
                        + "\" to use it (read at start, then again every cloudflare-ranges-check-interval).\n");
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        assertThat(Files.readString(out)).contains("# snapshot: " + today + "\n173.245.48.0/20\n");

        Path conf = dir.resolve("g.conf");
        Files.writeString(conf, "gatehouse.client-ip.cloudflare-ranges-file = \"" + out + "\"\n");
        CliRun listed = CliRun.of("cloudflare-ranges", "--config", conf.toString());
        assertThat(listed.out()).startsWith("# 5 networks, snapshot " + today + " (" + out + ")");

        CliRun again = CliRun.of("cloudflare-ranges", "--config", conf.toString(), "--update", "--output", out.toString(),
                "--source", source());
        assertThat(again.code()).as(again.err()).isEqualTo(0);
        assertThat(again.out()).contains("0 added, 0 removed")
                .endsWith("Gateways using this file apply it within gatehouse.client-ip.cloudflare-ranges-check-interval.\n");
    }

    @Test
    void garbageFromTheSourceLeavesTheFileUnchanged() throws Exception {
        Path out = dir.resolve("cf.txt");
        Files.writeString(out, "# snapshot: old\n1.2.3.0/24\n");
        v4 = "<html>maintenance</html>\n";
        CliRun r = CliRun.of("cloudflare-ranges", "--update", "--output", out.toString(), "--source", source());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("gatehouse-admin: the fetched lists are not lists of networks").endsWith("left unchanged\n");
        assertThat(Files.readString(out)).isEqualTo("# snapshot: old\n1.2.3.0/24\n");

        status = 503;
        v4 = "173.245.48.0/20\n";
        CliRun down = CliRun.of("cloudflare-ranges", "--update", "--output", out.toString(), "--source", source());
        assertThat(down.code()).isEqualTo(1);
        assertThat(down.err()).contains("answered HTTP 503");
    }

    @Test
    void usage() {
        assertThat(CliRun.of("cloudflare-ranges", "--update").err()).startsWith("gatehouse-admin: --update needs --output FILE");
        assertThat(CliRun.of("cloudflare-ranges", "--update", "--nginx").code()).isEqualTo(2);
        assertThat(CliRun.of("cloudflare-ranges", "--output", "x").code()).isEqualTo(2);
    }
}
