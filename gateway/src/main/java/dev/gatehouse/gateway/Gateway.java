package dev.gatehouse.gateway;

import dev.gatehouse.gateway.support.FileReloader;
import dev.gatehouse.gateway.support.InstanceLock;
import dev.gatehouse.gateway.support.SchemaGate;
import com.typesafe.config.Config;
import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.clientip.CloudflareRanges;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.db.DatabaseSettings;
import dev.gatehouse.gateway.audit.AuditWriter;
import dev.gatehouse.gateway.audit.RetentionJob;
import dev.gatehouse.gateway.clientip.CloudflareRangesWatcher;
import dev.gatehouse.gateway.clientip.TrustedHops;
import dev.gatehouse.gateway.config.ConsoleSettings;
import dev.gatehouse.gateway.config.GatewaySettings;
import dev.gatehouse.gateway.console.ConsoleServer;
import dev.gatehouse.core.route.HostPattern;
import dev.gatehouse.core.route.Route;
import dev.gatehouse.core.route.RouteBinding;
import dev.gatehouse.core.route.Upstream;
import dev.gatehouse.gateway.demo.DemoUpstream;
import dev.gatehouse.gateway.management.ManagementServer;
import dev.gatehouse.gateway.management.ReplicaHeartbeat;
import dev.gatehouse.gateway.management.Readiness;
import dev.gatehouse.gateway.metrics.AccessLog;
import dev.gatehouse.gateway.metrics.RequestMeters;
import dev.gatehouse.gateway.metrics.StandardMeters;
import dev.gatehouse.gateway.metrics.RequestObserver;
import dev.gatehouse.gateway.policy.PolicyService;
import dev.gatehouse.gateway.policy.TokenUsage;
import dev.gatehouse.gateway.proxy.UpstreamTlsWatcher;
import dev.gatehouse.gateway.server.GatewayServer;
import dev.gatehouse.gateway.sso.SingleSignOn;
import dev.gatehouse.core.sso.SsoSettings;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.gatehouse.gateway.support.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: database (migrated or checked), readiness and metrics, the management
 * listener, the demo upstream when no route is configured, and the public listener. Started in
 * that order; {@link #close()} stops them in reverse, the public listener first (draining).
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);
    /** How often api_tokens.last_used_at is written: the granularity `gatehouse-admin token list` shows. */
    /** The audit writer's loop never waits longer than its flush interval or write bound: 30 s without a round is a stall. */
    private static final Duration AUDIT_STALL = Duration.ofSeconds(30);
    static final Duration TOKEN_USAGE_INTERVAL = Duration.ofMinutes(1);

    private final Deque<AutoCloseable> stopOrder;
    private final GatewayServer server;
    private final ManagementServer management;
    private final GatewaySettings settings;
    private final Database database;

    private Gateway(Deque<AutoCloseable> stopOrder, GatewayServer server, ManagementServer management,
                    GatewaySettings settings, Database database) {
        this.stopOrder = stopOrder;
        this.server = server;
        this.management = management;
        this.settings = settings;
        this.database = database;
    }

    /** Starts everything, or fails with a {@link GatehouseException} and leaves nothing running. */
    public static Gateway start(Config config) throws InterruptedException {
        GatewaySettings settings = GatewaySettings.from(config);
        DatabaseSettings dbSettings = DatabaseSettings.from(config);
        SsoSettings ssoSettings = SsoSettings.from(config); // reads the key-encryption key: before anything starts
        Transport transport = Transport.choose(settings.server().transport()); // before anything starts: it may refuse
        ConsoleSettings console = ConsoleSettings.from(config); // a console bound beyond loopback unguarded: refused here
        Deque<AutoCloseable> started = new ArrayDeque<>();
        try {
            // first, so a second gateway on the same directory says so before touching the database; released last
            InstanceLock instance = settings.audit().enabled() ? InstanceLock.acquire(settings.audit().spoolDir(),
                    "the audit spool " + settings.audit().spoolDir() + " (gatehouse.audit.spool-dir), which serves one gateway"
                    + " only", "give this one its own data directory (XDG_DATA_HOME or HOME) or gatehouse.audit.spool-dir")
                    : null;
            if (instance != null) {
                started.push(instance);
            }
            // Every component registers its own meters on this registry; with no management listener to show them,
            // a registry that keeps none (its meters are no-ops).
            StandardMeters meters = settings.management().enabled() ? StandardMeters.create() : null;
            if (meters != null) {
                started.push(meters);
            }
            MeterRegistry registry = meters != null ? meters.registry() : new CompositeMeterRegistry();
            Database database = Database.open(dbSettings, "gatehouse-gateway", true,
                    new MicrometerMetricsTrackerFactory(registry));
            started.push(database);
            SchemaGate schema = new SchemaGate(database, dbSettings.externalMigration());
            // The schema check (one query when the schema is current; Flyway's classes when there is work) runs
            // beside the management listener's start (Netty's classes, mostly shared with the public listener's):
            // a cold JVM spends most of its start-up loading classes, and there are two cores to do it on.
            FutureTask<Boolean> schemaCheck = new FutureTask<>(schema::tryNow);
            Thread checker = new Thread(schemaCheck, "gatehouse-schema-check");
            checker.start();

            PolicyService policies = new PolicyService(database, schema, settings.policies().refreshInterval(),
                    settings.policies().reconnectMaxBackoff());
            policies.bindTo(registry);
            Readiness readiness = new Readiness(database, schema::ready, () -> policies.snapshot() != null,
                    settings.management().checkInterval(), registry).start();
            started.push(readiness);
            ManagementServer management = null;
            try {
                if (meters != null) {
                    management = ManagementServer.start(transport, settings.management().host(), settings.management().port(), readiness, meters);
                    started.push(management);
                }
            } finally {
                if (database.reachableAtOpen()) {
                    checker.join(); // never leave the check running behind a failed start
                } // else: it waits on the pool's timeout; the policy thread takes the schema over (SchemaGate is locked)
            }
            if (!database.reachableAtOpen() || !schemaReachable(schemaCheck)) {
                log.warn("The database at {} is unreachable: starting without it. Unbound routes are served;"
                        + " policy-bound routes answer 503 until it is reachable (the schema is then {}).",
                        database.description(), dbSettings.externalMigration() ? "checked" : "migrated");
            }
            policies.start(Duration.ofSeconds(schema.ready() ? 5 : 0));
            started.push(policies);
            // its loop goes round every 250 ms; a reload on a hanging connection may take the socket timeout (60 s)
            readiness.watch("policy updates", policies::lastProgressNanos, Duration.ofSeconds(90));
            boolean demoNamed = settings.routes().stream().anyMatch(r -> r.upstreams().stream().anyMatch(Upstream::demo));
            if (settings.routes().isEmpty() || demoNamed) {
                DemoUpstream demo = DemoUpstream.start(transport, 0);
                started.push(demo);
                Upstream echo = new Upstream("127.0.0.1", demo.port(), "");
                if (settings.routes().isEmpty()) {
                    settings = settings.withRoutes(List.of(new Route("/", List.of(echo), false,
                            settings.server().maxBodySize(), RouteBinding.NONE)));
                    log.info("No route configured: forwarding / to the built-in demo upstream on 127.0.0.1:{}", demo.port());
                } else { // upstream = "demo": the echo server, wherever a route names it
                    settings = settings.withRoutes(settings.routes().stream().map(r -> r.withUpstreams(
                            r.upstreams().stream().map(u -> u.demo() ? echo : u).toList())).toList());
                    log.info("The built-in demo upstream (upstream = \"demo\") on 127.0.0.1:{}", demo.port());
                }
            }
            AuditWriter audit = null;
            if (settings.audit().enabled()) {
                try {
                    audit = AuditWriter.start(database, settings.audit());
                } catch (IOException e) {
                    throw new GatehouseException("cannot use the audit spool directory " + settings.audit().spoolDir()
                            + " (gatehouse.audit.spool-dir): " + e.getMessage(), e);
                }
                started.push(audit);
                audit.bindTo(registry);
                readiness.watch("audit writer", audit::lastProgressNanos, AUDIT_STALL);
                log.info("Audit log: to the database, through the spool in {} (gatehouse.audit.spool-dir)",
                        settings.audit().spoolDir());
                RetentionJob retention = new RetentionJob(database, settings.audit().retentionInterval());
                retention.bindTo(registry);
                started.push(retention.start());
            }
            RequestMeters requestMeters = new RequestMeters(registry, settings.routes().stream().map(Route::label).toList());
            RequestObserver observer = new RequestObserver(requestMeters,
                    settings.accessLog() ? AccessLog.json() : AccessLog.OFF, audit);
            TokenUsage tokenUsage = new TokenUsage(database, TOKEN_USAGE_INTERVAL);
            started.push(tokenUsage); // closed after the listener: the last uses are written at shutdown
            TrustedHops hops = new TrustedHops(settings.clientIp().trust(), settings.listen().proxyProtocolSenders());
            FileReloader<CloudflareRanges> cloudflare = CloudflareRangesWatcher.start(config, settings, hops, registry);
            if (cloudflare != null) {
                started.push(cloudflare);
            }
            List<HostPattern> routeHosts = settings.routes().stream().flatMap(r -> r.hosts().stream()).toList();
            SingleSignOn sso = new SingleSignOn(database, ssoSettings, policies::snapshot,
                    host -> routeHosts.stream().anyMatch(h -> h.matches(host)), registry).start();
            started.push(sso);
            GatewayServer server = GatewayServer.start(settings, hops, observer, policies, tokenUsage, registry, sso,
                    transport);
            started.push(server);
            FileReloader<?> upstreamTls = UpstreamTlsWatcher.start(config, settings, server.pool(), registry);
            if (upstreamTls != null) {
                started.push(upstreamTls);
            }
            readiness.listening();
            String host = settings.listen().host();
            String url = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port();
            if (instance != null) {
                instance.listening(url);
            }

            // the replica list of every console, and this gateway's own console (off unless configured)
            started.push(ReplicaHeartbeat.start(database, version(), url));
            ConsoleServer consoleServer = null;
            if (console.enabled()) {
                consoleServer = ConsoleServer.start(transport, console, new ConsoleServer.Sources(database,
                        policies::snapshot, audit, hops, sso, settings.routes()));
                started.push(consoleServer);
            }

            log.info("Gatehouse listening on {} (database: {}; transport: {})", url, database.description(),
                    transport.describe(settings.server().transport()));
            if (consoleServer != null) {
                log.info("Console (read-only) on {} ({})", console.url(consoleServer.port()), console.loopback()
                        ? "loopback: no sign-in; from elsewhere, through an SSH tunnel or kubectl port-forward"
                        : "admins of " + console.signInOrg() + " sign in, from gatehouse.console.allow");
            }
            if (management != null) {
                log.info("Management (/healthz, /readyz, /metrics) on http://{}:{}", settings.management().host(), management.port());
            }
            for (Route r : settings.routes()) {
                log.info("  route {}{} -> {}{} ({})", r.hosts().isEmpty() ? "" : "hosts " + r.hosts() + " ", r.prefix(),
                        r.upstreams(), r.stripPrefix() ? " (prefix stripped)" : "", r.binding().describe());
            }
            return new Gateway(started, server, management, settings, database);
        } catch (RuntimeException | InterruptedException e) {
            stopAll(started);
            throw e;
        }
    }

    /** This build's version, from the jar's manifest ("development" when run from classes). */
    static String version() {
        String v = Gateway.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    /** The schema check's answer; its failure (a schema that is behind or ahead, say) fails the start. */
    private static boolean schemaReachable(FutureTask<Boolean> check) throws InterruptedException {
        try {
            return check.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void stopAll(Deque<AutoCloseable> started) {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                log.warn("While stopping: {}", e.toString());
            }
        }
    }

    public int port() {
        return server.port();
    }

    /** The management listener's port; -1 when it is disabled. */
    public int managementPort() {
        return management == null ? -1 : management.port();
    }

    public GatewaySettings settings() {
        return settings;
    }

    public Database database() {
        return database;
    }

    /**
     * Stops everything, the public listener first (draining); returns the connections the drain had to cut (0: every
     * request finished).
     */
    public int stop() {
        long t0 = System.nanoTime();
        stopAll(stopOrder);
        int cut = server.cutAtStop();
        log.info("Gatehouse stopped in {} ms{}", (System.nanoTime() - t0) / 1_000_000,
                cut == 0 ? "" : " (" + cut + " connection" + (cut == 1 ? "" : "s") + " cut at the drain timeout)");
        return cut;
    }

    @Override
    public void close() {
        stop();
    }
}
