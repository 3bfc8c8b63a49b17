package dev.gatehouse.gateway.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigOrigin;
import dev.gatehouse.core.config.ConfigError;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

/**
 * How an {@code https://} upstream's certificate is checked ({@code gatehouse.upstream.tls}): against the
 * certificates of {@code caFile} (PEM), or the JVM's own trust store when there is none; and, unless turned
 * off, for the upstream's host name or address (RFC 2818 / 6125 identity, as a browser checks it). With
 * {@code certificateFile} and {@code keyFile}, the gateway also shows a client certificate (mutual TLS), for
 * upstreams that accept only callers their CA vouches for.
 */
public record UpstreamTls(Path caFile, boolean verifyHostname, Path certificateFile, Path keyFile, String clientIdentity,
                          Duration reloadInterval) {

    /** The files, in a few words for the log: the CAs and the client certificate with its expiry. */
    public String describe() {
        return (caFile == null ? "the JVM's CAs" : "CAs from " + caFile)
                + (certificateFile == null ? ", no client certificate" : ", client certificate " + clientIdentity);
    }

    /**
     * Reads and checks the settings: a CA file must be readable and hold at least one certificate; a client
     * certificate comes with its key (both or neither), the key unencrypted PKCS#8 PEM and the certificate's own.
     */
    public static UpstreamTls from(Config g) {
        boolean verify = g.getBoolean("upstream.tls.verify-hostname");
        Duration reload = g.getDuration("upstream.tls.reload-interval");
        if (reload.isNegative()) {
            throw ConfigError.at("gatehouse.upstream.tls.reload-interval", g.getValue("upstream.tls.reload-interval").origin(),
                    "must not be negative (0: never)");
        }
        return read(file(g, "ca-file"), verify, file(g, "certificate-file"), file(g, "key-file"), reload,
                name -> g.getValue("upstream.tls." + name).origin());
    }

    /**
     * The same files read and checked again, as at start (their paths do not change, what they hold may): for the
     * reloads. A problem names the setting, not a position in the configuration file — the file it names is at fault.
     */
    public UpstreamTls reread() {
        return read(caFile, verifyHostname, certificateFile, keyFile, reloadInterval, name -> null);
    }

    /** @param origin where {@code upstream.tls.<name>} was set, for a message (null: not said) */
    private static UpstreamTls read(Path ca, boolean verify, Path cert, Path key, Duration reload,
                                    Function<String, ConfigOrigin> origin) {
        if (ca != null) {
            certificates(origin, "ca-file", ca);
        }
        if ((cert == null) != (key == null)) {
            String given = cert == null ? "key-file" : "certificate-file"; // pointed at: the line the user wrote
            String missing = cert == null ? "certificate-file" : "key-file";
            throw ConfigError.at("gatehouse.upstream.tls." + given, origin.apply(given),
                    "a client certificate needs both certificate-file and key-file (" + missing + " is not set)");
        }
        String identity = null;
        if (cert != null) {
            X509Certificate leaf = certificates(origin, "certificate-file", cert).get(0);
            identity = leaf.getSubjectX500Principal().getName() + " valid until " + leaf.getNotAfter().toInstant();
            PrivateKey privateKey = privateKey(origin, key, leaf.getPublicKey().getAlgorithm());
            if (!matches(privateKey, leaf)) {
                throw ConfigError.at("gatehouse.upstream.tls.key-file", origin.apply("key-file"),
                        key + " is not the key of the certificate in " + cert + " (" + leaf.getSubjectX500Principal() + ")");
            }
        }
        return new UpstreamTls(ca, verify, cert, key, identity, reload);
    }

    private static Path file(Config g, String name) {
        String v = g.getString("upstream.tls." + name).strip();
        return v.isEmpty() ? null : Path.of(v);
    }

    @SuppressWarnings("unchecked")
    private static List<X509Certificate> certificates(Function<String, ConfigOrigin> origin, String name, Path file) {
        String key = "gatehouse.upstream.tls." + name;
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> certs = (List<X509Certificate>) (List<?>) List.copyOf(
                    CertificateFactory.getInstance("X.509").generateCertificates(in));
            if (certs.isEmpty()) {
                throw ConfigError.at(key, origin.apply(name), "no certificate in " + file + " (expected PEM certificates)");
            }
            return certs;
        } catch (IOException e) {
            throw ConfigError.at(key, origin.apply(name), "cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        } catch (CertificateException e) {
            throw ConfigError.at(key, origin.apply(name), file + " holds no readable certificate (expected PEM): " + e.getMessage());
        }
    }

    /** An unencrypted PKCS#8 PEM key ("BEGIN PRIVATE KEY", as openssl genpkey and openssl 3 write them). */
    private static PrivateKey privateKey(Function<String, ConfigOrigin> origin, Path file, String algorithm) {
        String key = "gatehouse.upstream.tls.key-file";
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw ConfigError.at(key, origin.apply("key-file"), "cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            String hint = pem.contains("ENCRYPTED PRIVATE KEY") ? "an encrypted key: give it unencrypted (file permissions protect it)"
                    : pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN EC PRIVATE KEY")
                    ? "a PKCS#1/SEC1 key: convert it with openssl pkcs8 -topk8 -nocrypt"
                    : "no \"BEGIN PRIVATE KEY\" block";
            throw ConfigError.at(key, origin.apply("key-file"), file + " is not an unencrypted PKCS#8 PEM key (" + hint + ")");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw ConfigError.at(key, origin.apply("key-file"), file + " holds no readable " + algorithm + " private key: "
                    + e.getMessage());
        }
    }

    /** Whether the key signs what the certificate's public key verifies. */
    private static boolean matches(PrivateKey privateKey, X509Certificate cert) {
        String algorithm = switch (cert.getPublicKey().getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> cert.getPublicKey().getAlgorithm(); // Ed25519, Ed448
        };
        try {
            byte[] probe = "gatehouse upstream client certificate".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(algorithm);
            s.initSign(privateKey);
            s.update(probe);
            byte[] signature = s.sign();
            Signature v = Signature.getInstance(algorithm);
            v.initVerify(cert.getPublicKey());
            v.update(probe);
            return v.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
