package dev.gatehouse.gateway.request;

import dev.gatehouse.core.clientip.ClientIpResult;
import dev.gatehouse.core.net.IpAddress;
import dev.gatehouse.core.policy.Decision;
import dev.gatehouse.core.route.Route;
import dev.gatehouse.gateway.route.UpstreamSelector;
import java.util.UUID;

/**
 * What the gateway decided about one request, carried from the handler that decided it to the
 * proxy, the logs and (later) the policy check and the audit log.
 */
public final class RequestContext {
    private final String requestId;
    private final ClientIpResult clientIp;
    private final boolean peerTrusted;
    private final long startNanos;
    private UpstreamSelector upstreams;
    private Identity identity;
    private Decision decision;
    private Denial denial;
    private LocalAnswer answer;
    private SignedIn signedIn;

    /**
     * A browser signed in through single sign-on: its account (of the route's organisation).
     *
     * @param email     the address the provider vouched for
     * @param assertion the signed identity assertion for the upstream (null when no key is known yet)
     * @param renewal   a Set-Cookie value renewing the session (its idle time starts again), or null
     */
    public record SignedIn(UUID accountId, String email, String assertion, String renewal) {
    }

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

    /** The matched route; null when no route matched. */
    public Route route() {
        return upstreams == null ? null : upstreams.route();
    }

    /** The matched route's upstreams, which picks the next one to try; null when no route matched. */
    public UpstreamSelector upstreams() {
        return upstreams;
    }

    /** The route the request takes, as the route table matched it. */
    public void routed(UpstreamSelector matched) {
        this.upstreams = matched;
    }

    /** Who called (organisation, app, account), on a policy-checked route; null otherwise. */
    public Identity identity() {
        return identity;
    }

    /** The policy decision, on a policy-checked route that got that far; null otherwise. */
    public Decision decision() {
        return decision;
    }

    public void checked(Identity who, Decision d) {
        this.identity = who;
        this.decision = d;
    }

    /** Why the request is refused before it reaches the upstream (401, 403, 503); null when it may pass. */
    public Denial denial() {
        return denial;
    }

    public void deny(Denial d) {
        this.denial = d;
    }

    /** A response the gateway gives itself instead of forwarding (sign-in redirects...), or null. */
    public LocalAnswer answer() {
        return answer;
    }

    public void answer(LocalAnswer a) {
        this.answer = a;
    }

    /** The signed-in browser's account, or null. */
    public SignedIn signedIn() {
        return signedIn;
    }

    public void signedIn(SignedIn s) {
        this.signedIn = s;
    }

    /** True when the route is bound to an organisation or requires a token: the request goes in the audit log. */
    public boolean policyChecked() {
        return upstreams != null && upstreams.route().binding().checked();
    }
}
