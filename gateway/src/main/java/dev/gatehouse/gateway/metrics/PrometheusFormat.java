package dev.gatehouse.gateway.metrics;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/** Renders {@link GatewayMetrics} and JVM basics in the Prometheus text exposition format 0.0.4. */
public final class PrometheusFormat {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusFormat() {
    }

    public static String render(GatewayMetrics m) {
        StringBuilder sb = new StringBuilder(4096);
        header(sb, "gatehouse_requests_total", "counter", "Requests answered, by route prefix and status class.");
        for (Map.Entry<String, LongAdder[]> e : new TreeMap<>(m.requests).entrySet()) {
            LongAdder[] byClass = e.getValue();
            for (int c = 0; c < byClass.length; c++) {
                long n = byClass[c].sum();
                if (n > 0) {
                    sb.append("gatehouse_requests_total{route=\"").append(escape(e.getKey())).append("\",status=\"")
                            .append(c).append("xx\"} ").append(n).append('\n');
                }
            }
        }
        header(sb, "gatehouse_rejections_total", "counter", "Requests the gateway answered itself, by reason.");
        for (Map.Entry<String, LongAdder> e : new TreeMap<>(m.rejections).entrySet()) {
            sb.append("gatehouse_rejections_total{reason=\"").append(escape(e.getKey())).append("\"} ")
                    .append(e.getValue().sum()).append('\n');
        }
        header(sb, "gatehouse_upstream_latency_seconds", "histogram", "From request sent upstream to response head.");
        for (Map.Entry<String, GatewayMetrics.Histogram> e : new TreeMap<>(m.upstreamLatency).entrySet()) {
            String route = escape(e.getKey());
            long cumulative = 0;
            GatewayMetrics.Histogram h = e.getValue();
            for (int i = 0; i < GatewayMetrics.BUCKETS.length; i++) {
                cumulative += h.counts[i].sum();
                sb.append("gatehouse_upstream_latency_seconds_bucket{route=\"").append(route).append("\",le=\"")
                        .append(GatewayMetrics.BUCKETS[i]).append("\"} ").append(cumulative).append('\n');
            }
            cumulative += h.counts[GatewayMetrics.BUCKETS.length].sum();
            sb.append("gatehouse_upstream_latency_seconds_bucket{route=\"").append(route).append("\",le=\"+Inf\"} ")
                    .append(cumulative).append('\n');
            sb.append("gatehouse_upstream_latency_seconds_sum{route=\"").append(route).append("\"} ").append(h.sum.sum()).append('\n');
            sb.append("gatehouse_upstream_latency_seconds_count{route=\"").append(route).append("\"} ").append(cumulative).append('\n');
        }
        upstreamConnections(sb, m);
        gauge(sb, "gatehouse_open_connections", "Open client connections.", m.openConnections());
        gauge(sb, "gatehouse_database_up", "1 when the last database check succeeded.", m.databaseUp() ? 1 : 0);
        var threads = m.threadIdle();
        if (!threads.isEmpty()) {
            header(sb, "gatehouse_thread_seconds_since_progress", "gauge",
                    "Seconds since a long-lived thread last went round its loop (-1: the thread died).");
            threads.forEach((name, secs) -> sb.append("gatehouse_thread_seconds_since_progress{thread=\"")
                    .append(escape(name)).append("\"} ").append(secs).append('\n'));
        }
        var p = m.policies();
        if (p != null) {
            var snap = p.snapshot();
            gauge(sb, "gatehouse_policy_snapshot_loaded", "1 once a policy snapshot is loaded.", snap == null ? 0 : 1);
            gauge(sb, "gatehouse_policy_updates_connected",
                    "1 while the policy LISTEN connection is up; 0 means fail-static on the last snapshot.", p.connected() ? 1 : 0);
            if (snap != null) {
                gauge(sb, "gatehouse_policy_snapshot_age_seconds", "Seconds since the policy snapshot was last read from the database (wholly, or the organisations a change named).",
                        java.time.Duration.between(snap.loadedAt(), java.time.Instant.now()).toMillis() / 1000.0);
            }
            header(sb, "gatehouse_policy_reloads_total", "counter", "Policy snapshot loads.");
            sb.append("gatehouse_policy_reloads_total ").append(p.reloads()).append('\n');
        }
        var a = m.audit();
        if (a != null) {
            gauge(sb, "gatehouse_audit_queue_depth", "Audit events waiting for the writer.", a.queueDepth());
            gauge(sb, "gatehouse_audit_spool_bytes", "Size of the local audit spool (non-zero while the database is away).",
                    a.spoolBytes());
            header(sb, "gatehouse_audit_events_written_total", "counter", "Audit events inserted.");
            sb.append("gatehouse_audit_events_written_total ").append(a.written()).append('\n');
            header(sb, "gatehouse_audit_batches_total", "counter",
                    "COPY statements that wrote audit events (events written / batches = mean batch).");
            sb.append("gatehouse_audit_batches_total ").append(a.batches()).append('\n');
            header(sb, "gatehouse_audit_copy_seconds_total", "counter",
                    "Time spent writing audit batches (over gatehouse_audit_batches_total: the mean time per COPY).");
            sb.append("gatehouse_audit_copy_seconds_total ").append(a.copyNanos() / 1e9).append('\n');
            header(sb, "gatehouse_audit_events_spooled_total", "counter", "Audit events written to the spool.");
            sb.append("gatehouse_audit_events_spooled_total ").append(a.spooled()).append('\n');
            header(sb, "gatehouse_audit_partition_failures_total", "counter",
                    "Daily audit partitions the database could not create (each logged once).");
            sb.append("gatehouse_audit_partition_failures_total ").append(a.partitionFailures()).append('\n');
            gauge(sb, "gatehouse_audit_default_partition_rows",
                    "Audit rows in the default partition after the last maintenance (moved by the next one).",
                    a.defaultPartitionRows());
            header(sb, "gatehouse_audit_events_dropped_total", "counter", "Audit events lost (queue full, spool refused by the disk, or event refused by the database).");
            sb.append("gatehouse_audit_events_dropped_total ").append(a.dropped()).append('\n');
        }
        var cf = m.cloudflareRanges();
        if (cf != null) {
            gauge(sb, "gatehouse_cloudflare_ranges_networks", "Networks behind the cloudflare preset now.",
                    cf.inForce().networks().size());
            reloads(sb, "gatehouse_cloudflare_ranges", "Cloudflare ranges file", cf);
        }
        var tls = m.upstreamTls();
        if (tls != null) {
            reloads(sb, "gatehouse_upstream_tls", "upstream TLS files (CAs, client certificate and key)", tls);
        }
        jvm(sb);
        return sb.toString();
    }

    /** A {@link dev.gatehouse.gateway.FileReloader}'s two counters. */
    private static void reloads(StringBuilder sb, String prefix, String files, dev.gatehouse.gateway.FileReloader<?> r) {
        header(sb, prefix + "_reloads_total", "counter", "Changes to the " + files + " applied since start.");
        sb.append(prefix).append("_reloads_total ").append(r.reloads()).append('\n');
        header(sb, prefix + "_reload_failures_total", "counter",
                "Checks that found the " + files + " unusable (what was in force stayed).");
        sb.append(prefix).append("_reload_failures_total ").append(r.failures()).append('\n');
    }

    private static void upstreamConnections(StringBuilder sb, GatewayMetrics m) {
        // labelled by origin (scheme, host, port — the pool's keys carry no base path): http://h:8443 and
        // https://h:8443 are two pools and stay two series
        Map<String, LongAdder[]> byAuthority = new TreeMap<>();
        m.upstreamConnections.forEach((u, n) -> byAuthority.put(u.toString(), n));
        String[] names = {"gatehouse_upstream_connections_opened_total", "gatehouse_upstream_connections_reused_total"};
        String[] helps = {"Connections opened to an upstream (a request that found no idle kept-alive one, or a retry).",
                "Requests sent on a kept-alive upstream connection from the pool."};
        for (int i = 0; i < 2; i++) {
            header(sb, names[i], "counter", helps[i]);
            for (Map.Entry<String, LongAdder[]> e : byAuthority.entrySet()) {
                sb.append(names[i]).append("{upstream=\"").append(escape(e.getKey())).append("\"} ")
                        .append(e.getValue()[i].sum()).append('\n');
            }
        }
    }

    private static void jvm(StringBuilder sb) {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        gauge(sb, "jvm_memory_heap_used_bytes", "Heap in use.", heap.getUsed());
        gauge(sb, "jvm_memory_heap_max_bytes", "Largest heap the JVM may use.", heap.getMax());
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p) {
            gauge(sb, "netty_buffer_memory_used_bytes", "Direct plus heap memory held by Netty's allocator.",
                    p.metric().usedDirectMemory() + p.metric().usedHeapMemory());
        }
        gauge(sb, "jvm_threads_live", "Live threads.", ManagementFactory.getThreadMXBean().getThreadCount());
        long gcCount = 0;
        long gcMillis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcMillis += Math.max(0, gc.getCollectionTime());
        }
        header(sb, "jvm_gc_collections_total", "counter", "Garbage collections.");
        sb.append("jvm_gc_collections_total ").append(gcCount).append('\n');
        header(sb, "jvm_gc_collection_seconds_total", "counter", "Time spent in garbage collection.");
        sb.append("jvm_gc_collection_seconds_total ").append(gcMillis / 1000.0).append('\n');
        gauge(sb, "process_uptime_seconds", "Time since the JVM started.",
                ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0);
    }

    private static void gauge(StringBuilder sb, String name, String help, Number value) {
        header(sb, name, "gauge", help);
        sb.append(name).append(' ').append(value).append('\n');
    }

    private static void header(StringBuilder sb, String name, String type, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
