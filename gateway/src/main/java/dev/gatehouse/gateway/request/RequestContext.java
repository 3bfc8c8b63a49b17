package dev.gatehouse.gateway.request;

import dev.gatehouse.core.clientip.ClientIpResult;
import dev.gatehouse.core.net.IpAddress;

/**
 * What the gateway decided about one request, carried from the handler that decided it to the
 * proxy, the logs and (later) the policy check and the audit log.
 */
public final class RequestContext {
    private final String requestId;
    private final ClientIpResult clientIp;
    private final boolean peerTrusted;
    private final long startNanos;

    public RequestContext(String requestId, ClientIpResult clientIp, boolean peerTrusted, long startNanos) {
        this.requestId = requestId;
        this.clientIp = clientIp;
        this.peerTrusted = peerTrusted;
        this.startNanos = startNanos;
    }

    public String requestId() {
        return requestId;
    }

    /** The resolved client; null when the request was rejected. */
    public IpAddress client() {
        return clientIp.client();
    }

    /** The hop that connected to Gatehouse (the PROXY protocol source when there is one). */
    public IpAddress peer() {
        return clientIp.peer();
    }

    public boolean peerTrusted() {
        return peerTrusted;
    }

    public ClientIpResult clientIp() {
        return clientIp;
    }

    /** Why the request must be refused with 400, or null. */
    public String rejection() {
        return clientIp.rejection();
    }

    public long startNanos() {
        return startNanos;
    }
}
