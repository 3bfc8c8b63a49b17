package dev.gatehouse.core.clientip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.config.ConfigLoader;
import dev.gatehouse.core.net.IpAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientIpResolverTest {
    @TempDir
    Path dir;

    /** Builds a resolver from real config text, the way the gateway does. */
    private ClientIpResolver resolver(String clientIpConfig) throws IOException {
        Path f = dir.resolve("c" + System.nanoTime() + ".conf");
        Files.writeString(f, "gatehouse.client-ip {\n" + clientIpConfig + "\n}\n");
        return new ClientIpResolver(ClientIpSettings.from(ConfigLoader.load(f, Map.of())));
    }

    /** Headers given as "Name: value" lines, repeated names allowed, matched case-insensitively. */
    private static Headers headers(String... lines) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (String l : lines) {
            int c = l.indexOf(':');
            m.computeIfAbsent(l.substring(0, c).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(l.substring(c + 1).trim());
        }
        return name -> m.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    private static IpAddress ip(String s) {
        return IpAddress.parse(s);
    }

    private static String client(ClientIpResolver r, String peer, String... headerLines) {
        ClientIpResult res = r.resolve(ip(peer), headers(headerLines));
        return res.rejected() ? "REJECT " + res.rejection() : res.client().toString();
    }

    // --- nginx realip module ---

    @Test
    void nginxRealIpRecursiveOffTakesTheRightmostEntry() throws IOException {
        ClientIpResolver r = resolver("trusted-proxies = [\"192.168.1.0/24\", \"127.0.0.1\"]\nrecursive = false");
        assertThat(client(r, "127.0.0.1", "X-Forwarded-For: 1.1.1.1, 192.168.1.2")).isEqualTo("192.168.1.2");
    }

    @Test
    void nginxRealIpRecursiveOnSkipsTrustedEntries() throws IOException {
        ClientIpResolver r = resolver("trusted-proxies = [\"192.168.1.0/24\", \"127.0.0.1\"]");
        assertThat(client(r, "127.0.0.1", "X-Forwarded-For: 1.1.1.1, 192.168.1.2")).isEqualTo("1.1.1.1");
        assertThat(client(r, "127.0.0.1", "X-Forwarded-For: 6.6.6.6, 1.1.1.1, 192.168.1.2"))
                .as("what the client wrote left of the first untrusted hop is ignored").isEqualTo("1.1.1.1");
        assertThat(client(r, "127.0.0.1", "X-Forwarded-For: 192.168.1.5, 192.168.1.2"))
                .as("every entry trusted: the leftmost").isEqualTo("192.168.1.5");
    }

    @Test
    void severalXForwardedForLinesAreOneList() throws IOException {
        ClientIpResolver r = resolver("trusted-proxies = [\"10.0.0.0/8\"]");
        assertThat(client(r, "10.0.0.1", "X-Forwarded-For: 203.0.113.5", "x-forwarded-for: 10.0.0.9")).isEqualTo("203.0.113.5");
        assertThat(client(r, "10.0.0.1", "X-Forwarded-For: 10.0.0.7", "X-Forwarded-For: 198.51.100.1, 10.0.0.9"))
                .isEqualTo("198.51.100.1");
    }

    @Test
    void portsBracketsZonesAndCaseAreNormalised() throws IOException {
        ClientIpResolver r = resolver("trusted-proxies = [\"10.0.0.0/8\"]");
        assertThat(client(r, "10.0.0.1", "X-Forwarded-For: 203.0.113.5:51234")).isEqualTo("203.0.113.5");
        assertThat(client(r, "10.0.0.1", "X-Forwarded-For: [2001:DB8::A]:443")).isEqualTo("2001:db8::a");
        assertThat(client(r, "10.0.0.1", "X-Forwarded-For: fe80::1%eth0")).isEqualTo("fe80::1");
        assertThat(client(r, "10.0.0.1", "X-Forwarded-For: ::ffff:203.0.113.9")).isEqualTo("203.0.113.9");
        assertThat(client(r, "::ffff:10.0.0.1", "X-Forwarded-For: 198.51.100.2"))
                .as("a mapped peer is checked as IPv4").isEqualTo("198.51.100.2");
    }

    @Test
    void mappedTrustedHopIsSkippedLikeItsIpv4Form() throws IOException {
        ClientIpResolver r = resolver("trusted-proxies = [\"10.0.0.0/8\"]");
        assertThat(client(r, "10.0.0.1", "X-Forwarded-For: 198.51.100.2, ::ffff:10.1.1.1")).isEqualTo("198.51.100.2");
    }

    // --- Envoy's documented X-Forwarded-For examples, in trusted-address form ---

    @Test
    void envoyExamples() throws IOException {
        String xff = "X-Forwarded-For: 203.0.113.128, 203.0.113.10, 203.0.113.1";
        // Edge proxy, nothing trusted: the client is the peer whatever the header says.
        assertThat(client(resolver(""), "192.0.2.5", xff)).isEqualTo("192.0.2.5");
        // One trusted hop (the peer): the rightmost entry.
        assertThat(client(resolver("trusted-proxies = [\"192.0.2.5\"]"), "192.0.2.5", xff)).isEqualTo("203.0.113.1");
        // Two trusted hops.
        assertThat(client(resolver("trusted-proxies = [\"192.0.2.5\", \"203.0.113.1\"]"), "192.0.2.5", xff))
                .isEqualTo("203.0.113.10");
    }

    // --- RFC 7239 ---

    @Test
    void rfc7239Examples() throws IOException {
        ClientIpResolver r = resolver("trusted-proxies = [\"10.0.0.0/8\"]\nheaders = [\"Forwarded\"]");
        assertThat(client(r, "10.0.0.1", "Forwarded: for=\"_gazonk\""))
                .isEqualTo("REJECT forwarded[0]: '_gazonk' is not a valid address: not an IP address");
        assertThat(client(r, "10.0.0.1", "Forwarded: For=\"[2001:db8:cafe::17]:4711\"")).isEqualTo("2001:db8:cafe::17");
        assertThat(client(r, "10.0.0.1", "Forwarded: for=192.0.2.60;proto=http;by=203.0.113.43")).isEqualTo("192.0.2.60");
        assertThat(client(r, "10.0.0.1", "Forwarded: for=192.0.2.43, for=198.51.100.17")).isEqualTo("198.51.100.17");
        assertThat(client(r, "10.0.0.1", "Forwarded: for=192.0.2.43,for=\"[2001:db8:cafe::17]\",for=unknown"))
                .isEqualTo("REJECT forwarded[2]: 'unknown' is not a valid address: a hostname, not an IP address");
        assertThat(client(r, "10.0.0.1", "Forwarded: for=192.0.2.43", "Forwarded: for=10.1.2.3;by=10.0.0.1"))
                .isEqualTo("192.0.2.43");
        assertThat(client(r, "10.0.0.1", "Forwarded: proto=https;by=10.0.0.1"))
                .isEqualTo("REJECT forwarded[0]: Forwarded element without for=");
        assertThat(client(r, "10.0.0.1", "Forwarded: for=\"192.0.2.1")).startsWith("REJECT forwarded: unterminated");
        // RFC 7239 §6.3: an obfuscated port is valid, and stripped
        assertThat(client(r, "10.0.0.1", "Forwarded: for=\"[2001:db8::7]:_p1\"")).isEqualTo("2001:db8::7");
    }

    // --- what must never be believed or half-believed ---

    @Test
    void invalidEntriesRejectTheRequestWithTheReason() throws IOException {
        ClientIpResolver r = resolver("trusted-proxies = [\"10.0.0.0/8\"]");
        assertThat(client(r, "10.0.0.1", "X-Forwarded-For: 010.0.0.1")).isEqualTo(
                "REJECT x-forwarded-for[0]: '010.0.0.1' is not a valid address: IPv4 octet with a leading zero (ambiguous: octal or decimal?)");
        assertThat(client(r, "10.0.0.1", "X-Forwarded-For: 1.2.3.256")).endsWith("IPv4 octet out of range");
        assertThat(client(r, "10.0.0.1", "X-Forwarded-For: evil.example.com")).endsWith("a hostname, not an IP address");
        assertThat(client(r, "10.0.0.1", "X-Forwarded-For: unknown")).startsWith("REJECT x-forwarded-for[0]");
        assertThat(client(r, "10.0.0.1", "X-Forwarded-For: <script>")).startsWith("REJECT x-forwarded-for[0]");
        // "unknown" written as numbers is no client either
        assertThat(client(r, "10.0.0.1", "X-Forwarded-For: 0.0.0.0")).endsWith("the unspecified address names no client");
        assertThat(client(r, "10.0.0.1", "X-Forwarded-For: [::]:80")).startsWith("REJECT x-forwarded-for[0]");
        // garbage behind a trusted hop is reached by the walk and rejects; it is never taken for the proxy
        assertThat(client(r, "10.0.0.1", "X-Forwarded-For: garbage, 10.0.0.5")).startsWith("REJECT x-forwarded-for[0]");
    }

    @Test
    void entriesLeftOfTheClientAreNotExamined() throws IOException {
        ClientIpResolver r = resolver("trusted-proxies = [\"10.0.0.0/8\"]");
        assertThat(client(r, "10.0.0.1", "X-Forwarded-For: garbage, 203.0.113.7")).isEqualTo("203.0.113.7");
    }

    @Test
    void emptyAndWhitespaceOnlyHeadersAreAbsent() throws IOException {
        ClientIpResolver r = resolver("trusted-proxies = [\"10.0.0.0/8\"]\nheaders = [\"X-Forwarded-For\", \"X-Real-IP\"]");
        assertThat(client(r, "10.0.0.1", "X-Forwarded-For: ")).isEqualTo("10.0.0.1");
        assertThat(client(r, "10.0.0.1", "X-Forwarded-For:    ", "X-Real-IP: 198.51.100.3")).isEqualTo("198.51.100.3");
        assertThat(client(r, "10.0.0.1", "X-Forwarded-For: , ,203.0.113.4,")).isEqualTo("203.0.113.4");
        assertThat(client(r, "10.0.0.1", "X-Real-IP:  ")).isEqualTo("10.0.0.1");
    }

    @Test
    void untrustedPeerHeadersAreIgnored() throws IOException {
        ClientIpResolver r = resolver("trusted-proxies = [\"10.0.0.0/8\"]\nheaders = [\"X-Forwarded-For\", \"X-Real-IP\"]");
        assertThat(client(r, "203.0.113.50", "X-Forwarded-For: 10.0.0.1", "X-Real-IP: 10.0.0.2")).isEqualTo("203.0.113.50");
        assertThat(client(r, "203.0.113.50", "X-Forwarded-For: garbage")).as("not even parsed").isEqualTo("203.0.113.50");
    }

    @Test
    void cloudflareHeaderFromANonCloudflarePeerIsIgnored() throws IOException {
        ClientIpResolver r = resolver("trusted-proxies = [\"10.0.0.0/8\", cloudflare]\n"
                + "headers = [\"CF-Connecting-IP\", \"X-Forwarded-For\"]");
        // Cloudflare -> ALB (10.0.1.1) -> nginx (10.0.2.2) -> Gatehouse: believed.
        assertThat(client(r, "10.0.2.2", "CF-Connecting-IP: 198.51.100.77",
                "X-Forwarded-For: 198.51.100.77, 173.245.48.10, 10.0.1.1")).isEqualTo("198.51.100.77");
        // Someone who reaches the ALB directly forges CF-Connecting-IP: delivered by 203.0.113.66, not Cloudflare.
        assertThat(client(r, "10.0.2.2", "CF-Connecting-IP: 1.1.1.1", "X-Forwarded-For: 203.0.113.66, 10.0.1.1"))
                .isEqualTo("203.0.113.66");
        // Gatehouse straight behind Cloudflare: the peer is the setter.
        assertThat(client(r, "173.245.48.10", "CF-Connecting-IP: 2001:db8::77")).isEqualTo("2001:db8::77");
        // A Cloudflare address that is not the peer and not in the walk proves nothing.
        assertThat(client(r, "203.0.113.9", "CF-Connecting-IP: 1.1.1.1")).isEqualTo("203.0.113.9");
    }

    @Test
    void singleAddressHeaderWithTwoValuesIsRejected() throws IOException {
        ClientIpResolver r = resolver("trusted-proxies = [loopback]\nheaders = [\"X-Real-IP\"]");
        assertThat(client(r, "127.0.0.1", "X-Real-IP: 1.1.1.1", "X-Real-IP: 2.2.2.2"))
                .isEqualTo("REJECT x-real-ip carries more than one address: '1.1.1.1,2.2.2.2'");
        assertThat(client(r, "127.0.0.1", "X-Real-IP: [2001:db8::5]:80")).isEqualTo("2001:db8::5");
    }

    @Test
    void customSettersForAHeader() throws IOException {
        ClientIpResolver r = resolver("trusted-proxies = [\"10.0.0.0/8\"]\nheaders = [\"True-Client-IP\", \"X-Forwarded-For\"]\n"
                + "header-setters { \"True-Client-IP\" = [\"198.51.100.0/24\"] }");
        assertThat(client(r, "10.0.0.1", "True-Client-IP: 203.0.113.1", "X-Forwarded-For: 198.51.100.9")).isEqualTo("203.0.113.1");
        assertThat(client(r, "10.0.0.1", "True-Client-IP: 203.0.113.1", "X-Forwarded-For: 192.0.2.9")).isEqualTo("192.0.2.9");
    }

    @Test
    void headerPreferenceOrder() throws IOException {
        ClientIpResolver r = resolver("trusted-proxies = [loopback]\nheaders = [\"X-Real-IP\", \"X-Forwarded-For\"]");
        assertThat(client(r, "127.0.0.1", "X-Real-IP: 198.51.100.1", "X-Forwarded-For: 203.0.113.1")).isEqualTo("198.51.100.1");
        assertThat(client(r, "127.0.0.1", "X-Forwarded-For: 203.0.113.1")).isEqualTo("203.0.113.1");
    }

    @Test
    void underscoreAliasesAreNeverRead() throws IOException {
        ClientIpResolver r = resolver("trusted-proxies = [loopback]");
        assertThat(client(r, "127.0.0.1", "X_Forwarded_For: 6.6.6.6")).isEqualTo("127.0.0.1");
    }

    @Test
    void tooManyHopsIsRejected() throws IOException {
        ClientIpResolver r = resolver("trusted-proxies = [\"10.0.0.0/8\"]");
        String many = String.join(",", java.util.Collections.nCopies(65, "10.0.0.3"));
        assertThat(client(r, "10.0.0.1", "X-Forwarded-For: " + many)).isEqualTo("REJECT x-forwarded-for has 65 entries (at most 64)");
    }

    @Test
    void explainListsEveryHopWithItsVerdict() throws IOException {
        ClientIpResolver r = resolver("trusted-proxies = [\"10.0.0.0/8\"]");
        ClientIpResult res = r.explain(ip("10.0.0.1"), headers("X-Forwarded-For: 203.0.113.5, 10.0.0.9"));
        assertThat(res.hops()).extracting(ClientIpResult.Hop::where, ClientIpResult.Hop::verdict).containsExactly(
                org.assertj.core.groups.Tuple.tuple("peer", "trusted proxy"),
                org.assertj.core.groups.Tuple.tuple("x-forwarded-for[1]", "trusted proxy, skipped"),
                org.assertj.core.groups.Tuple.tuple("x-forwarded-for[0]", "client (first untrusted hop)"));
        assertThat(res.source()).isEqualTo("x-forwarded-for");
        assertThat(r.resolve(ip("10.0.0.1"), headers("X-Forwarded-For: 203.0.113.5")).hops()).isEmpty();
    }

    // --- configuration ---

    @Test
    void trustingEveryAddressIsRefusedAtStart() {
        assertThatThrownBy(() -> resolver("trusted-proxies = [\"0.0.0.0/0\"]"))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("gatehouse.client-ip.trusted-proxies: trusting every address (0.0.0.0/0 or ::/0)"
                        + " would let any client choose its own IP");
        assertThatThrownBy(() -> resolver("trusted-proxies = [\"::/0\"]")).hasMessageContaining("trusting every address");
        assertThatThrownBy(() -> resolver("trusted-proxies = [\"0.0.0.0/1\", \"128.0.0.0/1\"]"))
                .hasMessageContaining("trusting every address");
    }

    @Test
    void malformedTrustEntryNamesTheEntryAndLine() {
        assertThatThrownBy(() -> resolver("trusted-proxies = [\"10.0.0.1/8\"]"))
                .hasMessageContaining("gatehouse.client-ip.trusted-proxies: '10.0.0.1/8' is neither a network nor a preset"
                        + " (loopback, private, cloudflare): host bits set; the network is 10.0.0.0/8")
                .hasMessageMatching(".*\\.conf:2\\)$");
        assertThatThrownBy(() -> resolver("trusted-proxies = [\"clodflare\"]"))
                .hasMessageContaining("'clodflare' is neither a network nor a preset");
        assertThatThrownBy(() -> resolver("headers = [\"X_Forwarded_For\"]"))
                .hasMessageContaining("'X_Forwarded_For' is not a header name");
    }

    @Test
    void defaultsTrustNobody() {
        ClientIpSettings s = ClientIpSettings.from(ConfigLoader.load(null, Map.of()));
        assertThat(s.trusted().isEmpty()).isTrue();
        ClientIpResolver r = new ClientIpResolver(s);
        assertThat(client(r, "127.0.0.1", "X-Forwarded-For: 1.2.3.4")).isEqualTo("127.0.0.1");
    }

    @Test
    void theCloudflarePresetStandsForTheRangesGiven() throws IOException {
        Path f = dir.resolve("cf.conf");
        Files.writeString(f, "gatehouse.client-ip { trusted-proxies = [cloudflare], headers = [\"CF-Connecting-IP\"] }\n");
        com.typesafe.config.Config config = ConfigLoader.load(f, Map.of());
        ClientIpResolver snapshot = new ClientIpResolver(ClientIpSettings.from(config));
        assertThat(client(snapshot, "127.0.0.1", "CF-Connecting-IP: 198.51.100.9")).isEqualTo("127.0.0.1");
        assertThat(client(snapshot, "173.245.48.1", "CF-Connecting-IP: 198.51.100.9")).isEqualTo("198.51.100.9");
        // as a reloaded file gives them: trusted proxies and CF-Connecting-IP's setters both follow
        ClientIpResolver reloaded = new ClientIpResolver(ClientIpSettings.from(config,
                CloudflareRanges.parse("# snapshot: test\n127.0.0.0/8\n", "test")));
        assertThat(client(reloaded, "127.0.0.1", "CF-Connecting-IP: 198.51.100.9")).isEqualTo("198.51.100.9");
        assertThat(client(reloaded, "173.245.48.1", "CF-Connecting-IP: 198.51.100.9")).isEqualTo("173.245.48.1");
    }

    @Test
    void aRangesFileCoveringEveryAddressIsRefusedEvenWhereOnlyCfConnectingIpUsesIt() throws IOException {
        Path ranges = dir.resolve("everything.txt");
        Files.writeString(ranges, "0.0.0.0/0\n");
        // trusted-proxies does not name cloudflare, but CF-Connecting-IP's setters default to it: any peer could set it
        assertThatThrownBy(() -> resolver("trusted-proxies = [\"10.0.0.0/8\"]\nheaders = [\"CF-Connecting-IP\"]\n"
                + "cloudflare-ranges-file = \"" + ranges + "\""))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("configuration: gatehouse.client-ip.cloudflare-ranges-file: " + ranges
                        + ": trusting every address (0.0.0.0/0 or ::/0) would let any client choose its own IP");
    }

    @Test
    void cloudflareSnapshotIsShippedWithItsDate() {
        CloudflareRanges cf = CloudflareRanges.snapshot();
        assertThat(cf.snapshotDate()).isEqualTo("2026-11-25");
        assertThat(cf.networks()).hasSize(22);
        assertThat(CloudflareRanges.parse(cf.render(), "x").networks()).isEqualTo(cf.networks());
        assertThatThrownBy(() -> CloudflareRanges.parse("# nothing\n", "f")).hasMessage("f holds no networks");
        assertThatThrownBy(() -> CloudflareRanges.parse("1.2.3.0/24\n<html>\n", "f"))
                .hasMessageStartingWith("f line 2: '<html>' is not a valid address");
    }
}
