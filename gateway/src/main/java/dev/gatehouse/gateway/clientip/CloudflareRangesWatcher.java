package dev.gatehouse.gateway.clientip;

import dev.gatehouse.core.clientip.CloudflareRanges;
import dev.gatehouse.gateway.config.ClientIpSection;
import dev.gatehouse.gateway.config.FileReloader;
import dev.gatehouse.gateway.config.GatewaySettings;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Reads {@code client-ip.cloudflare-ranges-file} again every {@code cloudflare-ranges-check-interval}, so
 * that a list refreshed by {@code gatehouse-admin cloudflare-ranges --update} (from cron, say) takes effect
 * without a restart — in the trusted proxies, the header setters and the PROXY protocol senders, wherever
 * the configuration says {@code cloudflare}. Ranges Cloudflare dropped stop being believed just as promptly.
 *
 * <p>All or nothing ({@link FileReloader}): a file that cannot be read, holds no network, a line that is not
 * one, or a list covering every address is not applied, and the list in force stays (an edge suddenly
 * untrusted would turn every client into a Cloudflare address; one suddenly trusted from a half-written
 * file could not be told from an attack).
 */
public final class CloudflareRangesWatcher {
    private CloudflareRangesWatcher() {
    }

    /**
     * Watches the file the configuration names, starting from the ranges read at start; null when there is
     * nothing to watch (the built-in snapshot, or an interval of 0).
     */
    public static FileReloader<CloudflareRanges> start(GatewaySettings settings, TrustedHops hops,
                                                       MeterRegistry registry) {
        ClientIpSection clientIp = settings.clientIp();
        Path file = clientIp.cloudflareRangesFile();
        Duration interval = clientIp.cloudflareRangesCheckInterval();
        if (file == null || interval.isZero()) {
            return null;
        }
        FileReloader<CloudflareRanges> reloader = new FileReloader<>(CloudflareRangesWatcher.class, "Cloudflare ranges", interval,
                clientIp.trust().cloudflare(), () -> CloudflareRanges.load(file),
                ranges -> hops.replace(clientIp.trustWith(ranges), settings.listen().proxyProtocolSendersWith(ranges)),
                ranges -> ranges.networks().size() + " networks from " + ranges.source() + " (snapshot " + ranges.snapshotDate() + ")");
        reloader.meters(registry, "gatehouse.cloudflare.ranges", "Cloudflare ranges file");
        Gauge.builder("gatehouse.cloudflare.ranges.networks", reloader, r -> r.inForce().networks().size())
                .description("Networks behind the cloudflare preset now.").register(registry);
        return reloader.start();
    }
}
