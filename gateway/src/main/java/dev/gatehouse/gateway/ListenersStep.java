package dev.gatehouse.gateway;

import dev.gatehouse.core.route.Route;
import dev.gatehouse.core.route.RouteBinding;
import dev.gatehouse.core.route.Upstream;
import dev.gatehouse.gateway.audit.AuditSink;
import dev.gatehouse.gateway.clientip.CloudflareRangesWatcher;
import dev.gatehouse.gateway.clientip.TrustedHops;
import dev.gatehouse.gateway.config.GatewaySettings;
import dev.gatehouse.gateway.demo.DemoUpstream;
import dev.gatehouse.gateway.metrics.AccessLog;
import dev.gatehouse.gateway.metrics.RequestMeters;
import dev.gatehouse.gateway.metrics.RequestObserver;
import dev.gatehouse.gateway.proxy.ConnectionTracker;
import dev.gatehouse.gateway.proxy.UpstreamPool;
import dev.gatehouse.gateway.proxy.UpstreamTlsWatcher;
import dev.gatehouse.gateway.route.RouteTable;
import dev.gatehouse.gateway.server.GatewayServer;
import dev.gatehouse.gateway.server.PipelineParts;
import dev.gatehouse.gateway.sso.SingleSignOn;
import dev.gatehouse.gateway.transport.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up's last step, the listeners: the demo upstream when a route needs it (no route configured, or one naming
 * {@code upstream = "demo"}), the public listener with everything its pipeline uses ({@link PipelineParts}), and the
 * files read again under it (the Cloudflare ranges, the upstream TLS files). Stopped in reverse: the watchers, the
 * public listener (draining), then the demo upstream the drained requests may have used.
 */
final class ListenersStep implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final StopOrder started;
    private final GatewaySettings settings;
    private final GatewayServer server;
    private final TrustedHops hops;

    private ListenersStep(StopOrder started, GatewaySettings settings, GatewayServer server, TrustedHops hops) {
        this.started = started;
        this.settings = settings;
        this.server = server;
        this.hops = hops;
    }

    static ListenersStep start(GatewaySettings configured, Transport transport, MeterRegistry registry,
                               PoliciesStep policies, AuditSink audit, SingleSignOn sso) throws InterruptedException {
        StopOrder started = new StopOrder();
        try {
            DemoUpstream demo = started.add(needsDemo(configured) ? DemoUpstream.start(transport, 0) : null);
            GatewaySettings settings = demo == null ? configured : withDemo(configured, demo);
            RequestObserver observer = new RequestObserver(
                    new RequestMeters(registry, settings.routes().stream().map(Route::label).toList()),
                    settings.accessLog() ? AccessLog.json() : AccessLog.OFF, audit);
            TrustedHops hops = new TrustedHops(settings.clientIp().trust(), settings.listen().proxyProtocolSenders());
            started.add(CloudflareRangesWatcher.start(settings, hops, registry));
            GatewayServer server = started.add(GatewayServer.start(transport, new PipelineParts(settings, hops,
                    new RouteTable(settings.routes(), settings.upstream().failTimeout()), sso, policies::snapshot,
                    policies::tokenUsed, new UpstreamPool(transport, settings, registry), new ConnectionTracker(),
                    observer), registry));
            started.add(UpstreamTlsWatcher.start(settings, server.pool(), registry));
            return new ListenersStep(started, settings, server, hops);
        } catch (RuntimeException | InterruptedException e) {
            started.stop();
            throw e;
        }
    }

    private static boolean needsDemo(GatewaySettings settings) {
        return settings.routes().isEmpty()
                || settings.routes().stream().anyMatch(r -> r.upstreams().stream().anyMatch(Upstream::demo));
    }

    /** The routes with the demo upstream in: forwarding / to it when there is no route, else wherever one names it. */
    private static GatewaySettings withDemo(GatewaySettings settings, DemoUpstream demo) {
        Upstream echo = new Upstream("127.0.0.1", demo.port(), "");
        if (settings.routes().isEmpty()) {
            log.info("No route configured: forwarding / to the built-in demo upstream on 127.0.0.1:{}", demo.port());
            return settings.withRoutes(List.of(new Route("/", List.of(echo), false, settings.server().maxBodySize(),
                    RouteBinding.NONE)));
        }
        log.info("The built-in demo upstream (upstream = \"demo\") on 127.0.0.1:{}", demo.port());
        return settings.withRoutes(settings.routes().stream().map(r -> r.withUpstreams(
                r.upstreams().stream().map(u -> u.demo() ? echo : u).toList())).toList());
    }

    /** The settings the listener serves: the demo upstream in the routes that use it. */
    GatewaySettings settings() {
        return settings;
    }

    GatewayServer server() {
        return server;
    }

    /** Whom the listener believes (reloaded with Cloudflare's ranges): the console explains with the same trust. */
    TrustedHops hops() {
        return hops;
    }

    @Override
    public void close() {
        started.stop();
    }
}
