package dev.gatehouse.gateway.testing;

import com.sun.net.httpserver.HttpsConfigurator;
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
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A real HTTPS upstream for tests (the JDK's own server, independent of Netty), with a certificate from a
 * test CA made by the openssl command line: {@link #caFile()} is that CA, the certificate names only the
 * address 127.0.0.1 (no host name), so "https://localhost:…" fails the host-name check. Answers every
 * request with "tls ok &lt;path&gt; host=&lt;Host header&gt;", keeping connections alive.
 */
public final class TlsTestUpstream implements AutoCloseable {
    private final HttpsServer server;
    private final Path caFile;

    public TlsTestUpstream(Path dir) throws Exception {
        Path d = Files.createDirectories(dir.resolve("tls-upstream"));
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

        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        Certificate[] chain = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(Path.of(cert))))
                .toArray(new Certificate[0]);
        ks.setKeyEntry("server", privateKey(Path.of(key)), new char[0], chain);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);

        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = ("tls ok " + exchange.getRequestURI() + " host=" + exchange.getRequestHeaders().getFirst("Host"))
                    .getBytes(StandardCharsets.UTF_8);
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

    /** The test CA's certificate (PEM): what gatehouse.upstream.tls.ca-file names to trust this upstream. */
    public Path caFile() {
        return caFile;
    }

    @Override
    public void close() throws IOException {
        server.stop(0);
    }
}
