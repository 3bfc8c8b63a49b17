package dev.gatehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.Fixtures;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.TestUpstream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped nginx files (nginx/), run by the real nginx (Debian's package; .ci/run installs it) in
 * front of a real gateway and a real upstream. The files are rewritten only for ports and paths.
 */
class NginxIT {
    static final Path SHIPPED = Path.of("..", "nginx");

    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    static Path dir;

    static String nginx;
    static TestUpstream upstream;
    static Gateway gateway;
    static Process process;
    static int httpPort;
    static int tlsPort;

    @BeforeAll
    static void start() throws Exception {
        nginx = List.of("/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx").stream()
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
        if (nginx == null && System.getenv("CI") != null) {
            throw new IllegalStateException("nginx is not installed: .ci/run must install Debian's nginx");
        }
        Assumptions.assumeTrue(nginx != null, "nginx is not installed (apt-get install nginx); NginxIT skipped");

        Fixtures f = new Fixtures(db.database());
        UUID acme = f.org("Acme");
        f.policy(acme, "office", true, "allow 198.51.100.0/24");
        upstream = new TestUpstream();
        String u = "http://127.0.0.1:" + upstream.port();
        // the shipped Gatehouse side, plus routes for the test
        String behind = Files.readString(SHIPPED.resolve("gatehouse-behind-nginx.conf"))
                .replace("port = 8080", "port = 0");
        gateway = Gateway.start(GatewayConfigs.load(dir, db.database(), behind
                + "gatehouse.routes = [\n"
                + "  { prefix = \"/service/\", upstream = \"" + u + "\", org = \"Acme\" }\n"
                + "  { prefix = \"/\", upstream = \"" + u + "\" }\n]\n"));

        Path tls = Files.createDirectories(dir.resolve("tls"));
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                "-keyout", tls.resolve("gatehouse.key").toString(), "-out", tls.resolve("gatehouse.crt").toString());
        // The "VPC" of the ALB variant, for the test: 127.0.0.3 plays the load balancer.
        Files.writeString(dir.resolve("realip-test-alb.conf"),
                Files.readString(SHIPPED.resolve("realip-alb.conf")).replace("10.0.0.0/16", "127.0.0.3/32"));
        httpPort = freePort();
        tlsPort = freePort();
        for (String realip : List.of(SHIPPED.resolve("realip-alb.conf").toAbsolutePath().toString(),
                SHIPPED.resolve("realip-cloudflare.conf").toAbsolutePath().toString())) {
            writeConfig(realip);
            assertThat(run(nginx, "-t", "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString()))
                    .as("nginx -t with " + realip).contains("syntax is ok").contains("test is successful");
        }
        writeConfig(dir.resolve("realip-test-alb.conf").toString());
        process = new ProcessBuilder(nginx, "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        awaitPort(tlsPort);
    }

    static void writeConfig(String realipPath) throws IOException {
        String site = Files.readString(SHIPPED.resolve("gatehouse-site.conf"))
                .replace("listen 80;", "listen 127.0.0.1:" + httpPort + ";")
                .replace("listen 443 ssl http2;", "listen 127.0.0.1:" + tlsPort + " ssl http2;")
                .replace("server 127.0.0.1:8080;", "server 127.0.0.1:" + gateway.port() + ";")
                .replace("/etc/nginx/tls/", dir.resolve("tls") + "/")
                .replace("/etc/nginx/gatehouse/realip.conf", realipPath);
        Files.writeString(dir.resolve("site.conf"), site);
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(dir.resolve("nginx.conf"), "daemon off;\nworker_processes 1;\n"
                + "pid " + dir.resolve("nginx.pid") + ";\nerror_log " + dir.resolve("error.log") + " warn;\n"
                + "events { worker_connections 256; }\n"
                + "http {\n  access_log off;\n"
                + "  client_body_temp_path " + tmp.resolve("body") + ";\n  proxy_temp_path " + tmp.resolve("proxy") + ";\n"
                + "  fastcgi_temp_path " + tmp.resolve("fastcgi") + ";\n  uwsgi_temp_path " + tmp.resolve("uwsgi") + ";\n"
                + "  scgi_temp_path " + tmp.resolve("scgi") + ";\n"
                + "  include " + dir.resolve("site.conf") + ";\n}\n");
    }

    @AfterAll
    static void stop() throws Exception {
        if (process != null) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        if (gateway != null) {
            gateway.close();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    @BeforeEach
    void clear() {
        upstream.clear();
    }

    @Test
    void shippedCloudflareFileMatchesTheGatewaysSnapshot() throws Exception {
        String shipped = Files.readString(SHIPPED.resolve("realip-cloudflare.conf"));
        java.io.StringWriter out = new java.io.StringWriter();
        // the same snapshot the gateway uses, printed the way the CLI prints it
        var ranges = dev.gatehouse.core.clientip.CloudflareRanges.snapshot();
        for (var c : ranges.networks()) {
            out.write("set_real_ip_from " + c + ";\n");
        }
        assertThat(shipped).contains(out.toString()).contains("real_ip_header CF-Connecting-IP;")
                .contains("snapshot: " + ranges.snapshotDate());
    }

    @Test
    void clientBehindTheLoadBalancerIsSeenByItsForwardedAddress() throws Exception {
        RawHttp.Response r = https("127.0.0.3", "GET /service/vault HTTP/1.1\r\nHost: app.example\r\n"
                + "X-Forwarded-For: 198.51.100.9\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        TestUpstream.Received got = upstream.take();
        assertThat(got.header("X-Real-IP")).isEqualTo("198.51.100.9");
        assertThat(got.header("X-Forwarded-Proto")).isEqualTo("https");
        assertThat(got.header("X-Gatehouse-Org")).isEqualTo("Acme");
    }

    @Test
    void forgedForwardingFromAnUntrustedAddressIsIgnoredAndThePolicyApplies() throws Exception {
        RawHttp.Response r = https("127.0.0.2", "GET /service/vault HTTP/1.1\r\nHost: app.example\r\n"
                + "X-Forwarded-For: 198.51.100.9\r\nX-Real-IP: 198.51.100.9\r\nCF-Connecting-IP: 198.51.100.9\r\n\r\n");
        assertThat(r.status()).as("the forger's own address is outside the office policy").isEqualTo(403);
        assertThat(r.body()).contains("\"client_ip\":\"127.0.0.2\"");
        https("127.0.0.2", "GET /front HTTP/1.1\r\nHost: app.example\r\nX-Real-IP: 198.51.100.9\r\n\r\n");
        assertThat(upstream.take().header("X-Real-IP")).isEqualTo("127.0.0.2");
    }

    @Test
    void plainHttpRedirectsToHttps() throws Exception {
        try (RawHttp c = new RawHttp("127.0.0.2", httpPort)) {
            RawHttp.Response r = c.send("GET /x HTTP/1.1\r\nHost: app.example\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(301);
            assertThat(r.header("Location")).isEqualTo("https://app.example/x");
        }
    }

    @Test
    void cloudflareVariantIgnoresAForgedHeaderFromANonCloudflarePeer() throws Exception {
        // the shipped Cloudflare file: loopback is not Cloudflare, so CF-Connecting-IP must be ignored
        writeConfig(SHIPPED.resolve("realip-cloudflare.conf").toAbsolutePath().toString());
        run(nginx, "-s", "reload", "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString());
        try {
            long deadline = System.nanoTime() + 10_000_000_000L;
            String seen = null;
            while (System.nanoTime() < deadline) {
                upstream.clear();
                https("127.0.0.3", "GET /front HTTP/1.1\r\nHost: app.example\r\nCF-Connecting-IP: 198.51.100.9\r\n"
                        + "X-Forwarded-For: 198.51.100.9\r\n\r\n");
                seen = upstream.take().header("X-Real-IP");
                if (seen.equals("127.0.0.3")) {
                    break; // the reloaded workers answer now
                }
                Thread.sleep(100);
            }
            assertThat(seen).isEqualTo("127.0.0.3");
        } finally {
            writeConfig(dir.resolve("realip-test-alb.conf").toString());
            run(nginx, "-s", "reload", "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString());
            Thread.sleep(500);
        }
    }

    /** One request over TLS from a chosen loopback address. */
    static RawHttp.Response https(String from, String request) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                // the test's own self-signed certificate
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getByName("127.0.0.1"), tlsPort,
                InetAddress.getByName(from), 0);
        s.startHandshake();
        try (RawHttp c = new RawHttp(s)) {
            return c.send(request).read();
        }
    }

    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void awaitPort(int port) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("nginx did not listen on " + port + ": " + Files.readString(dir.resolve("nginx.out")));
    }
}
