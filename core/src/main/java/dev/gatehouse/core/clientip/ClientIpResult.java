package dev.gatehouse.core.clientip;

import dev.gatehouse.core.net.IpAddress;
import java.util.List;

/**
 * The outcome of resolving one request: the client and where it came from, or why the request is
 * refused. The peer (the socket peer, or the PROXY protocol source) is kept beside the client.
 *
 * @param client    the client address; null when rejected
 * @param peer      the hop that connected to Gatehouse
 * @param source    what decided: a header name, or "peer"
 * @param rejection why the request must be refused (HTTP 400); null when resolved
 * @param hops      every hop examined, rightmost first (only when explaining; otherwise empty)
 */
public record ClientIpResult(IpAddress client, IpAddress peer, String source, String rejection, List<Hop> hops) {

    public boolean rejected() {
        return rejection != null;
    }

    /**
     * One hop as the resolver saw it.
     *
     * @param where   "peer", "x-forwarded-for[2]", "cf-connecting-ip"...
     * @param text    the entry as received
     * @param address the parsed address, or null when invalid
     * @param verdict what the resolver concluded, in words
     */
    public record Hop(String where, String text, IpAddress address, String verdict) {
    }
}
