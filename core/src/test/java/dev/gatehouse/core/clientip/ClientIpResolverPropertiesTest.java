package dev.gatehouse.core.clientip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.net.Cidr;
import dev.gatehouse.core.net.CidrSet;
import dev.gatehouse.core.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Over random proxy chains: a client can never choose the result unless every hop to its right is
 * trusted. The client writes the left part of X-Forwarded-For (anything it likes); the trusted
 * proxies append what they saw; the resolver must name the address the first trusted proxy saw.
 */
class ClientIpResolverPropertiesTest {
    private static final CidrSet TRUSTED = CidrSet.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8"));
    private static final ClientIpResolver RESOLVER = new ClientIpResolver(new ClientIpSettings(TRUSTED,
            List.of("x-forwarded-for"), true, Map.of(), CloudflareRanges.snapshot()));

    /** A chain: what the client forged, the real client, the trusted proxies in order (nearest last). */
    record Chain(List<String> forged, IpAddress client, List<IpAddress> proxies) {
    }

    @Provide
    Arbitrary<Chain> chains() {
        Arbitrary<String> forgedEntry = Arbitraries.oneOf(
                Arbitraries.integers().map(i -> IpAddress.v4(i).toString()),
                Arbitraries.integers().between(0, 255).map(i -> "10.0.0." + i),   // claims to be a trusted proxy
                Arbitraries.of("1.2.3.4", "[2001:db8::1]:80", "fd00::1", "127.0.0.1"));
        Arbitrary<IpAddress> untrustedClient = Arbitraries.integers()
                .map(IpAddress::v4).filter(a -> !TRUSTED.contains(a));
        Arbitrary<IpAddress> proxy = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 0xffffff).map(i -> IpAddress.v4(0x0a000000 | i)),
                Arbitraries.longs().map(l -> IpAddress.v6(0xfd00000000000000L | (l >>> 8), l)));
        return Combinators.combine(forgedEntry.list().ofMaxSize(6), untrustedClient, proxy.list().ofMinSize(1).ofMaxSize(5))
                .as(Chain::new);
    }

    @Property(tries = 2000)
    void theClientCannotChooseTheResult(@ForAll("chains") Chain chain) {
        // The client sends its forged list; each proxy appends the address it received the request from.
        List<String> xff = new ArrayList<>(chain.forged());
        xff.add(chain.client().toString());
        List<IpAddress> proxies = chain.proxies();
        for (int i = 0; i < proxies.size() - 1; i++) {
            xff.add(proxies.get(i).toString());
        }
        IpAddress peer = proxies.get(proxies.size() - 1);
        String header = String.join(", ", xff);

        ClientIpResult r = RESOLVER.resolve(peer, name -> name.equals("x-forwarded-for") ? List.of(header) : List.of());

        assertThat(r.rejected()).isFalse();
        assertThat(r.client()).isEqualTo(chain.client());
        assertThat(r.peer()).isEqualTo(peer);
    }

    @Property(tries = 1000)
    void anUntrustedPeerIsAlwaysTheClient(@ForAll("chains") Chain chain) {
        String header = String.join(", ", chain.forged()) + ", " + chain.client();
        ClientIpResult r = RESOLVER.resolve(chain.client(),
                name -> name.equals("x-forwarded-for") ? List.of(header) : List.of());
        assertThat(r.client()).isEqualTo(chain.client());
    }
}
