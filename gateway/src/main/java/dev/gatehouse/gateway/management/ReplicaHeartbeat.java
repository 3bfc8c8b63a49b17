package dev.gatehouse.gateway.management;

import dev.gatehouse.core.admin.Heartbeats;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.gateway.timers.DaemonScheduler;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This gateway's row in {@code gateway_heartbeats}, written now and then every {@link #INTERVAL} on a thread of its
 * own, so the operator console of any replica can list the replicas seen recently. A beat that fails (the database
 * away) is logged once until one succeeds again; nothing waits on it.
 */
public final class ReplicaHeartbeat implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaHeartbeat.class);
    public static final Duration INTERVAL = Duration.ofSeconds(15);

    private final ScheduledExecutorService timer = DaemonScheduler.named("gatehouse-heartbeat");
    private final Heartbeats heartbeats;
    private final String instanceId = UUID.randomUUID().toString();
    private final String hostName = hostName();
    private final String version;
    private final String listening;
    private final Instant startedAt = Instant.now();
    private volatile boolean failing;

    private ReplicaHeartbeat(Database database, String version, String listening) {
        this.heartbeats = new Heartbeats(database.dataSource());
        this.version = version;
        this.listening = listening;
    }

    /** Beats at once (on its thread), then every {@link #INTERVAL}. */
    public static ReplicaHeartbeat start(Database database, String version, String listening) {
        ReplicaHeartbeat h = new ReplicaHeartbeat(database, version, listening);
        h.timer.scheduleWithFixedDelay(h::beat, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return h;
    }

    private void beat() {
        try {
            heartbeats.beat(instanceId, hostName, version, listening, startedAt);
            if (failing) {
                log.info("Heartbeat written again");
            }
            failing = false;
        } catch (RuntimeException e) {
            if (!failing) {
                log.warn("Heartbeat not written (the console's replica list will miss this gateway): {}", e.getMessage());
            }
            failing = true;
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown";
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
