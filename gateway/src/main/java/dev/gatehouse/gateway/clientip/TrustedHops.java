package dev.gatehouse.gateway.clientip;

import dev.gatehouse.core.clientip.ClientIpResolver;
import dev.gatehouse.core.clientip.ClientIpSettings;
import dev.gatehouse.core.net.CidrSet;

/**
 * Whom the gateway believes right now: the client-IP resolver (trusted proxies, header setters) and the
 * PROXY protocol senders. Both are fixed by the configuration but for the {@code cloudflare} preset, whose
 * ranges {@link CloudflareRangesWatcher} may reload; they are swapped as one, and each request head or new
 * connection reads the pair in force when it arrives.
 */
public final class TrustedHops {
    private record InForce(ClientIpResolver resolver, CidrSet proxyProtocolSenders) {
    }

    private volatile InForce inForce;

    public TrustedHops(ClientIpSettings clientIp, CidrSet proxyProtocolSenders) {
        replace(clientIp, proxyProtocolSenders);
    }

    /** From now on, new requests and connections are judged by these. */
    public void replace(ClientIpSettings clientIp, CidrSet proxyProtocolSenders) {
        inForce = new InForce(new ClientIpResolver(clientIp), proxyProtocolSenders);
    }

    public ClientIpResolver resolver() {
        return inForce.resolver();
    }

    public CidrSet proxyProtocolSenders() {
        return inForce.proxyProtocolSenders();
    }
}
