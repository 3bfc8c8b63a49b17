package dev.gatehouse.gateway.policy;

import dev.gatehouse.core.policy.Decision;
import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.core.policy.TokenHash;
import dev.gatehouse.core.route.RouteBinding;
import dev.gatehouse.gateway.request.Denial;
import dev.gatehouse.gateway.request.Identity;
import dev.gatehouse.gateway.request.InboundRequest;
import dev.gatehouse.gateway.request.RequestContext;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Identity and network policy for routes bound to an organisation or app, or requiring a token:
 * finds who the request is (the bearer token's account and organisation, or the route's
 * organisation) and asks the policy snapshot whether the resolved client IP may pass. Reads only
 * the in-memory snapshot: never waits on the database. Records its verdict on the request; the
 * proxy answers a denial.
 */
@ChannelHandler.Sharable
public final class AccessHandler extends ChannelInboundHandlerAdapter {
    /** A longer Authorization value is refused outright (tokens are far shorter). */
    static final int MAX_AUTHORIZATION = 1024;

    private final Supplier<PolicySnapshot> snapshots;
    private final Consumer<UUID> tokenUsed;

    /**
     * @param snapshots the snapshot in force (PolicyService's; null until the first is loaded)
     * @param tokenUsed told of each valid token presented (TokenUsage records its last use)
     */
    public AccessHandler(Supplier<PolicySnapshot> snapshots, Consumer<UUID> tokenUsed) {
        this.snapshots = snapshots;
        this.tokenUsed = tokenUsed;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof InboundRequest in) {
            RequestContext rc = in.context();
            if (rc.rejection() == null && rc.route() != null && rc.route().binding().checked()) {
                check(in, rc, rc.route().binding());
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void check(InboundRequest in, RequestContext rc, RouteBinding binding) {
        PolicySnapshot snapshot = snapshots.get();
        if (snapshot == null) {
            rc.deny(Denial.unavailable("network policies are not loaded yet; try again shortly", "policies_not_loaded"));
            return;
        }
        PolicySnapshot.Org org = null;
        UUID appId = null;
        if (binding.org() != null) {
            org = snapshot.org(binding.org());
            if (org == null) {
                rc.deny(Denial.unavailable("this route's organisation is not configured", "unknown_org"));
                return;
            }
            if (binding.app() != null) {
                appId = org.appsByName().get(binding.app());
                if (appId == null) {
                    rc.deny(Denial.unavailable("this route's app is not configured", "unknown_app"));
                    return;
                }
            }
        }
        PolicySnapshot.Account account = null;
        rc.checked(new Identity(org, appId, binding.app(), null), null); // what is known so far, for the audit log
        if (binding.token()) {
            List<String> auth = in.head().headers().getAll(HttpHeaderNames.AUTHORIZATION);
            String secret = bearer(auth, rc);
            if (secret == null) {
                return;
            }
            PolicySnapshot.Token token = snapshot.token(TokenHash.ofSecret(secret));
            if (token == null) {
                rc.deny(Denial.unauthorized("unknown API token", "token_unknown"));
                return;
            }
            String unusable = token.unusable(Instant.now());
            if (unusable != null) {
                rc.deny(Denial.unauthorized("API token " + unusable, "token_" + unusable));
                return;
            }
            if (org != null && !org.id().equals(token.orgId())) {
                rc.deny(Denial.unauthorized("API token not valid for this route", "token_wrong_org"));
                return;
            }
            org = snapshot.org(token.orgId());
            account = org == null ? null : org.accounts().get(token.accountId());
            if (account == null) {
                rc.deny(Denial.unauthorized("unknown API token", "token_unknown"));
                return;
            }
            tokenUsed.accept(token.id()); // presented and valid: used, whatever the network policy says next
        }
        if (account == null && rc.signedIn() != null && org != null) { // signed in through SSO: the account's policies too
            account = org.accounts().get(rc.signedIn().accountId());
        }
        Decision decision = snapshot.decide(org, account, rc.client());
        rc.checked(new Identity(org, appId, binding.app(), account), decision);
        if (!decision.allowed()) {
            rc.deny(Denial.POLICY);
        }
    }

    /** The token of "Authorization: Bearer TOKEN", or null after recording the denial. */
    private static String bearer(List<String> auth, RequestContext rc) {
        if (auth.isEmpty()) {
            rc.deny(Denial.unauthorized("missing API token (Authorization: Bearer <token>)", "token_missing"));
            return null;
        }
        if (auth.size() > 1) {
            rc.deny(Denial.unauthorized("more than one Authorization header", "token_malformed"));
            return null;
        }
        String v = auth.get(0).strip();
        if (v.length() > MAX_AUTHORIZATION) {
            rc.deny(Denial.unauthorized("Authorization header too long", "token_malformed"));
            return null;
        }
        if (v.length() < 8 || !v.regionMatches(true, 0, "Bearer ", 0, 7)) {
            rc.deny(Denial.unauthorized("expected Authorization: Bearer <token>", "token_malformed"));
            return null;
        }
        String token = v.substring(7).strip();
        if (token.isEmpty() || !isToken68(token)) {
            rc.deny(Denial.unauthorized("malformed bearer token", "token_malformed"));
            return null;
        }
        return token;
    }

    /** RFC 6750 b64token characters. */
    private static boolean isToken68(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
