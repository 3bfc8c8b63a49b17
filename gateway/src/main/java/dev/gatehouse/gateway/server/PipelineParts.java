package dev.gatehouse.gateway.server;

import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.gateway.clientip.TrustedHops;
import dev.gatehouse.gateway.config.GatewaySettings;
import dev.gatehouse.gateway.metrics.RequestObserver;
import dev.gatehouse.gateway.proxy.ConnectionTracker;
import dev.gatehouse.gateway.proxy.UpstreamPool;
import dev.gatehouse.gateway.route.RouteTable;
import dev.gatehouse.gateway.sso.SingleSignOn;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What the client connection's pipeline is assembled from ({@link GatewayChannelInitializer}): the settings it reads
 * and the parts its handlers share, one of each per listener. The listener owns {@code tracker} and {@code pool} from
 * its start: it drains the one and closes the other when it stops.
 *
 * @param settings  the limits and timeouts of the edge, and the upstream's
 * @param hops      whom the gateway believes about the client's address (replaced when the Cloudflare ranges are)
 * @param routes    which route, which upstream
 * @param sso       sign-in at the edge
 * @param policies  the policy snapshot in force
 * @param tokenUsed notes an API token's use
 * @param pool      the kept-alive upstream connections, per event loop
 * @param tracker   the open client connections
 * @param observer  where each finished request is reported
 */
public record PipelineParts(GatewaySettings settings, TrustedHops hops, RouteTable routes, SingleSignOn sso,
                            Supplier<PolicySnapshot> policies, Consumer<UUID> tokenUsed, UpstreamPool pool,
                            ConnectionTracker tracker, RequestObserver observer) {
}
