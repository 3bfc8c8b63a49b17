package dev.gatehouse.gateway.testing;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real HTTPS upstream for tests (the JDK's own server, independent of Netty), with a certificate from a
 * test CA made by the openssl command line: {@link #caFile()} is that CA, the certificate names only the
 * address 127.0.0.1 (no host name), so "https://localhost:…" fails the host-name check. Answers every
 * request with "tls ok &lt;path&gt; host=&lt;Host header&gt;", keeping connections alive.
 *
 * <p>{@link #requiringClientCertificates} makes one that accepts only clients with a certificate from the
 * same CA (mutual TLS) and adds " client=&lt;subject&gt;" to its answers; it also makes such a client
 * certificate and key, and a stranger's (self-signed).
 */
public final class TlsTestUpstream implements AutoCloseable {
    private final HttpsServer server;
    private final Path caFile;
    private final Path dir;

    public TlsTestUpstream(Path dir) throws Exception {
        this(dir, false);
    }

    public static TlsTestUpstream requiringClientCertificates(Path dir) throws Exception {
        return new TlsTestUpstream(dir, true);
    }

    private TlsTestUpstream(Path dir, boolean needClientAuth) throws Exception {
        Path d = Files.createDirectories(dir.resolve(needClientAuth ? "mtls-upstream" : "tls-upstream"));
        this.dir = d;
        String ca = d.resolve("ca.pem").toString();
        String caKey = d.resolve("ca.key").toString();
        String key = d.resolve("server.key").toString();
        String csr = d.resolve("server.csr").toString();
        String cert = d.resolve("server.pem").toString();
        Path ext = d.resolve("ext.cnf");
        Files.writeString(ext, "subjectAltName = IP:127.0.0.1\n");
        NginxRunner.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                "/CN=Gatehouse test CA", "-keyout", caKey, "-out", ca);
        NginxRunner.run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=upstream", "-keyout", key,
                "-out", csr);
        NginxRunner.run("openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", caKey, "-CAcreateserial",
                "-days", "2", "-extfile", ext.toString(), "-out", cert);
        this.caFile = Path.of(ca);
        if (needClientAuth) {
            NginxRunner.run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=gatehouse-gateway",
                    "-keyout", d.resolve("client.key").toString(), "-out", d.resolve("client.csr").toString());
            NginxRunner.run("openssl", "x509", "-req", "-in", d.resolve("client.csr").toString(), "-CA", ca, "-CAkey", caKey,
                    "-CAcreateserial", "-days", "2", "-out", d.resolve("client.pem").toString());
            NginxRunner.run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=gatehouse-gateway-2",
                    "-keyout", d.resolve("renewed.key").toString(), "-out", d.resolve("renewed.csr").toString());
            NginxRunner.run("openssl", "x509", "-req", "-in", d.resolve("renewed.csr").toString(), "-CA", ca, "-CAkey", caKey,
                    "-CAcreateserial", "-days", "3", "-out", d.resolve("renewed.pem").toString());
            NginxRunner.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=stranger", "-keyout", d.resolve("stranger.key").toString(), "-out", d.resolve("stranger.pem").toString());
        }

        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        Certificate[] chain = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(Path.of(cert))))
                .toArray(new Certificate[0]);
        ks.setKeyEntry("server", privateKey(Path.of(key)), new char[0], chain);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext ssl = SSLContext.getInstance("TLS");
        TrustManagerFactory tmf = null;
        if (needClientAuth) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(caFile))));
            tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
        }
        ssl.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);

        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = getSSLContext().getDefaultSSLParameters();
                p.setNeedClientAuth(needClientAuth);
                params.setSSLParameters(p);
            }
        });
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String client = "";
            if (needClientAuth) {
                Certificate[] peer = ((HttpsExchange) exchange).getSSLSession().getPeerCertificates();
                client = " client=" + ((X509Certificate) peer[0]).getSubjectX500Principal().getName();
            }
            byte[] body = ("tls ok " + exchange.getRequestURI() + " host=" + exchange.getRequestHeaders().getFirst("Host")
                    + client).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    /** An unencrypted PKCS#8 PEM key, as openssl 3 writes it. */
    private static PrivateKey privateKey(Path pem) throws Exception {
        String base64 = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** A client certificate from this upstream's CA (CN=gatehouse-gateway), PEM; its key: {@link #clientKeyFile()}. */
    public Path clientCertificateFile() {
        return dir.resolve("client.pem");
    }

    /** The client certificate's key, unencrypted PKCS#8 PEM (openssl 3's default). */
    public Path clientKeyFile() {
        return dir.resolve("client.key");
    }

    /** A second client certificate from the same CA (CN=gatehouse-gateway-2), as a renewal would bring; PEM. */
    public Path renewedCertificateFile() {
        return dir.resolve("renewed.pem");
    }

    public Path renewedKeyFile() {
        return dir.resolve("renewed.key");
    }

    /** A self-signed client certificate (CN=stranger) this upstream does not trust; its key: {@link #strangerKeyFile()}. */
    public Path strangerCertificateFile() {
        return dir.resolve("stranger.pem");
    }

    public Path strangerKeyFile() {
        return dir.resolve("stranger.key");
    }

    /** The test CA's certificate (PEM): what gatehouse.upstream.tls.ca-file names to trust this upstream. */
    public Path caFile() {
        return caFile;
    }

    @Override
    public void close() throws IOException {
        server.stop(0);
    }
}
