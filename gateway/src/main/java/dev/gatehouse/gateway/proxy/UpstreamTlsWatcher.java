package dev.gatehouse.gateway.proxy;

import dev.gatehouse.gateway.config.FileReloader;
import dev.gatehouse.gateway.config.GatewaySettings;
import dev.gatehouse.gateway.config.UpstreamTls;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Reads {@code upstream.tls}'s files (CAs, client certificate and key) again every {@code reload-interval};
 * changed files are checked as at start ({@link UpstreamTls#reread}) and, if good, used for new upstream
 * connections — so that a certificate manager can renew the client certificate, or an internal CA roll, under a
 * running gateway. All or nothing ({@link FileReloader}): a certificate whose key has not been replaced yet is
 * refused until it has.
 */
public final class UpstreamTlsWatcher {
    /** The files as read: their digest says whether anything changed. */
    record Reading(String digest, UpstreamTls tls) {
    }

    private UpstreamTlsWatcher() {
    }

    /** Null when there is nothing to watch: no https:// upstream, no file named, or an interval of 0. */
    public static FileReloader<Reading> start(GatewaySettings settings, UpstreamPool pool, MeterRegistry registry) {
        UpstreamTls tls = settings.upstream().tls();
        if (!pool.usesTls() || tls.reloadInterval().isZero() || (tls.caFile() == null && tls.certificateFile() == null)) {
            return null;
        }
        return new FileReloader<>(UpstreamTlsWatcher.class, "Upstream TLS files", tls.reloadInterval(),
                new Reading(digest(tls), tls),
                () -> {
                    String before = digest(tls); // the paths do not change, only what they hold
                    return new Reading(before, tls.reread());
                },
                reading -> {
                    SslContext context = UpstreamPool.tlsContext(reading.tls()); // Netty reads the files again here
                    if (!digest(reading.tls()).equals(reading.digest())) {
                        throw new IllegalArgumentException("the files changed while being read; the next check takes them");
                    }
                    pool.useTls(context);
                },
                reading -> reading.tls().describe())
                .meters(registry, "gatehouse.upstream.tls", "upstream TLS files (CAs, client certificate and key)").start();
    }

    /** SHA-256 over what the files hold now; a file that cannot be read is one line's problem. */
    static String digest(UpstreamTls tls) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Path p : new Path[] {tls.caFile(), tls.certificateFile(), tls.keyFile()}) {
                if (p != null) {
                    try {
                        sha.update(Files.readAllBytes(p));
                    } catch (IOException e) {
                        throw new IllegalArgumentException("cannot read " + p + " (" + e.getClass().getSimpleName() + ")");
                    }
                }
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
