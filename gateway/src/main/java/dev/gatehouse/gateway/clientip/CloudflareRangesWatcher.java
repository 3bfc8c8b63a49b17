package dev.gatehouse.gateway.clientip;

import com.typesafe.config.Config;
import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.clientip.ClientIpSettings;
import dev.gatehouse.core.clientip.CloudflareRanges;
import dev.gatehouse.core.net.CidrSet;
import dev.gatehouse.gateway.DaemonScheduler;
import dev.gatehouse.gateway.config.GatewaySettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@code client-ip.cloudflare-ranges-file} again every {@code cloudflare-ranges-check-interval}, so
 * that a list refreshed by {@code gatehouse-admin cloudflare-ranges --update} (from cron, say) takes effect
 * without a restart — in the trusted proxies, the header setters and the PROXY protocol senders, wherever
 * the configuration says {@code cloudflare}. Ranges Cloudflare dropped stop being believed just as promptly.
 *
 * <p>All or nothing: a file that cannot be read, holds no network or a line that is not one is not applied,
 * and the list in force stays (an edge that is suddenly untrusted would turn every client into a Cloudflare
 * address; one suddenly trusted from a half-written file could not be told from an attack). A WARN says why
 * once per distinct problem; the failures counter grows at every check while it lasts.
 */
public final class CloudflareRangesWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CloudflareRangesWatcher.class);

    private final Config config;
    private final Path file;
    private final TrustedHops hops;
    private final ScheduledExecutorService scheduler;
    private final LongAdder reloads = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private volatile CloudflareRanges inForce;
    private String lastProblem; // the scheduler's thread only

    private CloudflareRangesWatcher(Config config, Path file, CloudflareRanges inForce, TrustedHops hops, Duration interval) {
        this.config = config;
        this.file = file;
        this.inForce = inForce;
        this.hops = hops;
        this.scheduler = DaemonScheduler.named("gatehouse-cloudflare-ranges");
        scheduler.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Watches the file the configuration names, starting from the ranges read at start; null when there is
     * nothing to watch (the built-in snapshot, or an interval of 0).
     */
    public static CloudflareRangesWatcher start(Config config, GatewaySettings settings, TrustedHops hops) {
        Path file = ClientIpSettings.cloudflareRangesFile(config);
        Duration interval = settings.cloudflareRangesCheckInterval();
        if (file == null || interval.isZero()) {
            return null;
        }
        return new CloudflareRangesWatcher(config, file, settings.clientIp().cloudflare(), hops, interval);
    }

    /** One look at the file: applies a changed, valid list; keeps the one in force otherwise. */
    void check() {
        CloudflareRanges read;
        ClientIpSettings clientIp;
        CidrSet senders;
        try {
            read = CloudflareRanges.load(file);
            if (read.networks().equals(inForce.networks())) {
                lastProblem = null;
                return;
            }
            clientIp = ClientIpSettings.from(config, read);
            senders = GatewaySettings.proxyProtocolSenders(config, read);
        } catch (IllegalArgumentException | GatehouseException e) {
            failures.increment();
            if (!e.getMessage().equals(lastProblem)) {
                lastProblem = e.getMessage();
                log.warn("Cloudflare ranges not reloaded, the {} networks in force (snapshot {}) stay: {}",
                        inForce.networks().size(), inForce.snapshotDate(), e.getMessage());
            }
            return;
        } catch (RuntimeException e) {
            failures.increment();
            log.error("Cloudflare ranges not reloaded (the list in force stays)", e);
            return;
        }
        CloudflareRanges before = inForce;
        hops.replace(clientIp, senders);
        inForce = read;
        lastProblem = null;
        reloads.increment();
        log.info("Cloudflare ranges reloaded from {}: {} networks (snapshot {}), {} before (snapshot {})", file,
                read.networks().size(), read.snapshotDate(), before.networks().size(), before.snapshotDate());
    }

    /** The networks behind {@code cloudflare} now. */
    public int networks() {
        return inForce.networks().size();
    }

    /** Changed lists applied since start. */
    public long reloads() {
        return reloads.sum();
    }

    /** Checks that found the file unusable (and kept the list in force). */
    public long failures() {
        return failures.sum();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
