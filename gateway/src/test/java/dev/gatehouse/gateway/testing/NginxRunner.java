package dev.gatehouse.gateway.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Assumptions;

/**
 * The real nginx (Debian's package) running the shipped files from nginx/, rewritten only for ports
 * and paths, in a directory of its own. Skips the test where nginx is missing, except on CI, where
 * that is a failure (.ci/run installs it).
 */
public final class NginxRunner implements AutoCloseable {
    public static final Path SHIPPED = Path.of("..", "nginx");

    private final String nginx;
    private final Path dir;
    private final int httpPort;
    private final int tlsPort;
    private final SSLContext trustAll;
    private Process process;

    /** Whether Debian's nginx is installed (on CI it must be: .ci/run installs it). */
    public static boolean installed() {
        return List.of("/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx").stream()
                .anyMatch(p -> Files.isExecutable(Path.of(p)));
    }

    /** Skips the calling test, visibly and with the reason, when nginx is not installed (outside CI). */
    public static void assumeInstalled() {
        if (!installed() && System.getenv("CI") != null) {
            throw new IllegalStateException("nginx is not installed: .ci/run must install Debian's nginx");
        }
        Assumptions.assumeTrue(installed(), "nginx is not installed (apt-get install nginx): test skipped");
    }

    public NginxRunner(Path dir) throws Exception {
        this.nginx = List.of("/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx").stream()
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
        if (nginx == null && System.getenv("CI") != null) {
            throw new IllegalStateException("nginx is not installed: .ci/run must install Debian's nginx");
        }
        Assumptions.assumeTrue(nginx != null, "nginx is not installed (apt-get install nginx); test skipped");
        this.dir = dir;
        this.httpPort = freePort();
        this.tlsPort = freePort();
        Path tls = Files.createDirectories(dir.resolve("tls"));
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                "-keyout", tls.resolve("gatehouse.key").toString(), "-out", tls.resolve("gatehouse.crt").toString());
        trustAll = SSLContext.getInstance("TLS");
        trustAll.init(null, new TrustManager[] {new X509TrustManager() {
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
    }

    public int httpPort() {
        return httpPort;
    }

    /**
     * Writes the configuration: the shipped site with the given real-IP file and upstream file, the
     * upstream file's ports replaced by {@code gatewayPorts} (shipped port → test port).
     */
    public void configure(Path realip, Path upstreamFile, Map<Integer, Integer> gatewayPorts) throws IOException {
        String upstream = Files.readString(upstreamFile);
        for (Map.Entry<Integer, Integer> e : gatewayPorts.entrySet()) {
            upstream = upstream.replace("127.0.0.1:" + e.getKey() + ";", "127.0.0.1:" + e.getValue() + ";")
                    .replace("127.0.0.1:" + e.getKey() + " ", "127.0.0.1:" + e.getValue() + " ");
        }
        Files.writeString(dir.resolve("upstream.conf"), upstream);
        String site = Files.readString(SHIPPED.resolve("gatehouse-site.conf"))
                .replace("listen 80;", "listen 127.0.0.1:" + httpPort + ";")
                .replace("listen 443 ssl http2;", "listen 127.0.0.1:" + tlsPort + " ssl http2;")
                .replace("/etc/nginx/tls/", dir.resolve("tls") + "/")
                .replace("/etc/nginx/gatehouse/realip.conf", realip.toAbsolutePath().toString())
                .replace("/etc/nginx/gatehouse/upstream.conf", dir.resolve("upstream.conf").toString());
        Files.writeString(dir.resolve("site.conf"), site);
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(dir.resolve("nginx.conf"), "daemon off;\nworker_processes 1;\n"
                + "pid " + dir.resolve("nginx.pid") + ";\nerror_log " + dir.resolve("error.log") + " warn;\n"
                + "events { worker_connections 512; }\n"
                + "http {\n  access_log off;\n"
                + "  client_body_temp_path " + tmp.resolve("body") + ";\n  proxy_temp_path " + tmp.resolve("proxy") + ";\n"
                + "  fastcgi_temp_path " + tmp.resolve("fastcgi") + ";\n  uwsgi_temp_path " + tmp.resolve("uwsgi") + ";\n"
                + "  scgi_temp_path " + tmp.resolve("scgi") + ";\n"
                + "  include " + dir.resolve("site.conf") + ";\n}\n");
    }

    /** nginx -t on the current configuration; returns its output. */
    public String test() throws Exception {
        return run(nginx, "-t", "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString());
    }

    public void start() throws Exception {
        process = new ProcessBuilder(nginx, "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", tlsPort)) {
                s.getPort();
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("nginx did not listen on " + tlsPort + ": " + Files.readString(dir.resolve("nginx.out")));
    }

    public void reload() throws Exception {
        run(nginx, "-s", "reload", "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString());
    }

    /** One request over TLS from a chosen loopback address. */
    public RawHttp.Response https(String from, String request) throws Exception {
        SSLSocket s = (SSLSocket) trustAll.getSocketFactory().createSocket(InetAddress.getByName("127.0.0.1"), tlsPort,
                InetAddress.getByName(from), 0);
        s.startHandshake();
        try (RawHttp c = new RawHttp(s)) {
            return c.send(request).read();
        }
    }

    @Override
    public void close() throws Exception {
        if (process != null) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    public static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
