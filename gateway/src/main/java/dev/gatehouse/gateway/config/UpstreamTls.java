package dev.gatehouse.gateway.config;

import com.typesafe.config.Config;
import dev.gatehouse.core.config.ConfigError;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;

/**
 * How an {@code https://} upstream's certificate is checked ({@code gatehouse.upstream.tls}): against the
 * certificates of {@code caFile} (PEM), or the JVM's own trust store when there is none; and, unless turned
 * off, for the upstream's host name or address (RFC 2818 / 6125 identity, as a browser checks it).
 */
public record UpstreamTls(Path caFile, boolean verifyHostname) {

    /** Reads and checks the settings: a CA file must be readable and hold at least one certificate. */
    static UpstreamTls from(Config g) {
        boolean verify = g.getBoolean("upstream.tls.verify-hostname");
        String ca = g.getString("upstream.tls.ca-file").strip();
        if (ca.isEmpty()) {
            return new UpstreamTls(null, verify);
        }
        Path file = Path.of(ca);
        String key = "gatehouse.upstream.tls.ca-file";
        var origin = g.getValue("upstream.tls.ca-file").origin();
        try (InputStream in = Files.newInputStream(file)) {
            if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                throw ConfigError.at(key, origin, "no certificate in " + file + " (expected PEM certificates)");
            }
        } catch (IOException e) {
            throw ConfigError.at(key, origin, "cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        } catch (CertificateException e) {
            throw ConfigError.at(key, origin, file + " holds no readable certificate (expected PEM): " + e.getMessage());
        }
        return new UpstreamTls(file, verify);
    }
}
