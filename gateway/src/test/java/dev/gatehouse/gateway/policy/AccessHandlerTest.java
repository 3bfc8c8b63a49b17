package dev.gatehouse.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.clientip.ClientIpResult;
import dev.gatehouse.core.net.Cidr;
import dev.gatehouse.core.net.CidrSet;
import dev.gatehouse.core.net.IpAddress;
import dev.gatehouse.core.policy.AccountKind;
import dev.gatehouse.core.policy.AuditMode;
import dev.gatehouse.core.policy.CompiledPolicy;
import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.core.policy.TokenHash;
import dev.gatehouse.core.route.Route;
import dev.gatehouse.core.route.RouteBinding;
import dev.gatehouse.core.route.Upstream;
import dev.gatehouse.gateway.request.InboundRequest;
import dev.gatehouse.gateway.request.RequestContext;
import dev.gatehouse.gateway.route.RouteTable;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Identity and network policy as a handler, over an in-memory snapshot: the verdict is recorded on the request
 * (the proxy answers a denial), nothing is consumed, and the database is never asked.
 */
class AccessHandlerTest {
    static final UUID ORG = UUID.randomUUID();
    static final UUID ACCOUNT = UUID.randomUUID();
    static final UUID TOKEN = UUID.randomUUID();
    static final String SECRET = "gh_s3cr3t-token-for-the-test";
    /** Acme allows 203.0.113.0/24 only, everywhere. */
    static final PolicySnapshot SNAPSHOT = snapshot();

    static PolicySnapshot snapshot() {
        CompiledPolicy office = new CompiledPolicy(UUID.randomUUID(), "office", true,
                CidrSet.of(Cidr.parse("203.0.113.0/24")), CidrSet.EMPTY, true);
        PolicySnapshot.Account alice = new PolicySnapshot.Account(ACCOUNT, ORG, "alice", AccountKind.MEMBER, "admin", "alice@acme.test", List.of(),
                null);
        PolicySnapshot.Org acme = new PolicySnapshot.Org(ORG, "Acme", false, List.of(office), Map.of(),
                Map.of(ACCOUNT, alice), AuditMode.FULL, Map.of(), List.of(), null, null, Set.of());
        return new PolicySnapshot(Map.of("Acme", acme), Map.of(ORG, acme),
                Map.of(TokenHash.ofSecret(SECRET), new PolicySnapshot.Token(TOKEN, ACCOUNT, ORG, null, null)), Instant.now());
    }

    final List<UUID> used = new ArrayList<>();

    InboundRequest through(PolicySnapshot snapshot, RouteBinding binding, String client, String... headers) {
        EmbeddedChannel ch = new EmbeddedChannel(new AccessHandler(() -> snapshot, used::add));
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x");
        for (int i = 0; i < headers.length; i += 2) {
            head.headers().add(headers[i], headers[i + 1]);
        }
        IpAddress ip = IpAddress.parse(client);
        RequestContext rc = new RequestContext("rid", new ClientIpResult(ip, ip, "peer", null, List.of()), false, 0);
        rc.routed(new RouteTable(List.of(new Route("/", List.of(new Upstream("127.0.0.1", 9, "")), false, 1024, binding)),
                Duration.ofSeconds(1)).match(null, "/x"));
        InboundRequest in = new InboundRequest(head, rc);
        ch.writeInbound(in);
        assertThat((Object) ch.readInbound()).as("always passed on").isSameAs(in);
        assertThat(ch.finish()).isFalse();
        return in;
    }

    @Test
    void anAddressInsideTheOrganisationsPolicyPasses() {
        RequestContext rc = through(SNAPSHOT, new RouteBinding("Acme", null, false), "203.0.113.9").context();
        assertThat(rc.denial()).isNull();
        assertThat(rc.decision().allowed()).isTrue();
        assertThat(rc.identity().org().name()).isEqualTo("Acme");
    }

    @Test
    void anAddressOutsideItIsDeniedByPolicy() {
        RequestContext rc = through(SNAPSHOT, new RouteBinding("Acme", null, false), "198.51.100.1").context();
        assertThat(rc.denial().status().code()).isEqualTo(403);
        assertThat(rc.denial().reason()).isEqualTo("policy_denied");
        assertThat(rc.policyChecked()).as("audited").isTrue();
    }

    @Test
    void aValidTokenIdentifiesItsAccountAndIsCountedAsUsed() {
        RequestContext rc = through(SNAPSHOT, new RouteBinding(null, null, true), "203.0.113.9",
                "Authorization", "Bearer " + SECRET).context();
        assertThat(rc.denial()).isNull();
        assertThat(rc.identity().account().name()).isEqualTo("alice");
        assertThat(used).containsExactly(TOKEN);
    }

    @Test
    void tokenProblemsAreDenialsWithTheirReasons() {
        RouteBinding token = new RouteBinding(null, null, true);
        assertThat(through(SNAPSHOT, token, "203.0.113.9").context().denial().reason()).isEqualTo("token_missing");
        assertThat(through(SNAPSHOT, token, "203.0.113.9", "Authorization", "Basic abc").context().denial().reason())
                .isEqualTo("token_malformed");
        assertThat(through(SNAPSHOT, token, "203.0.113.9", "Authorization", "Bearer a", "Authorization", "Bearer b")
                .context().denial().reason()).isEqualTo("token_malformed");
        assertThat(through(SNAPSHOT, token, "203.0.113.9", "Authorization", "Bearer nope").context().denial().reason())
                .isEqualTo("token_unknown");
        assertThat(used).as("no valid token was presented").isEmpty();
        RequestContext outside = through(SNAPSHOT, token, "198.51.100.1", "Authorization", "Bearer " + SECRET).context();
        assertThat(outside.denial().reason()).as("a valid token does not widen the network policy").isEqualTo("policy_denied");
    }

    @Test
    void beforeTheFirstSnapshotAndForUnknownBindingsTheAnswerIs503() {
        assertThat(through(null, new RouteBinding("Acme", null, false), "203.0.113.9").context().denial().reason())
                .isEqualTo("policies_not_loaded");
        assertThat(through(SNAPSHOT, new RouteBinding("Nobody", null, false), "203.0.113.9").context().denial().status().code())
                .isEqualTo(503);
        assertThat(through(SNAPSHOT, new RouteBinding("Acme", "vault", false), "203.0.113.9").context().denial().reason())
                .isEqualTo("unknown_app");
    }

    @Test
    void anUnboundRouteIsNotChecked() {
        RequestContext rc = through(SNAPSHOT, RouteBinding.NONE, "198.51.100.1").context();
        assertThat(rc.denial()).isNull();
        assertThat(rc.policyChecked()).isFalse();
    }
}
