package dev.gatehouse.core.clientip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.net.Cidr;
import dev.gatehouse.core.net.CidrSet;
import dev.gatehouse.core.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Over random proxy chains: a client can never choose the result unless every hop to its right is
 * trusted. The client writes the left part of X-Forwarded-For (anything it likes); the trusted
 * proxies append what they saw; the resolver must name the address the first trusted proxy saw.
 * Seeded generators (the seed is in every failure message), as {@code ClientIpCommonPathTest} does.
 */
class ClientIpResolverPropertiesTest {
    private static final long SEED = 20261128L;
    private static final CidrSet TRUSTED = CidrSet.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("fd00::/8"));
    private static final ClientIpResolver RESOLVER = new ClientIpResolver(new ClientIpSettings(TRUSTED,
            List.of("x-forwarded-for"), true, Map.of(), CloudflareRanges.snapshot()));
    private static final String[] FIXED_FORGERIES = {"1.2.3.4", "[2001:db8::1]:80", "fd00::1", "127.0.0.1"};

    /** A chain: what the client forged, the real client, the trusted proxies in order (nearest last). */
    record Chain(List<String> forged, IpAddress client, List<IpAddress> proxies) {
    }

    static Chain chain(Random r) {
        List<String> forged = new ArrayList<>();
        for (int i = r.nextInt(7); i > 0; i--) {
            forged.add(switch (r.nextInt(3)) {
                case 0 -> IpAddress.v4(r.nextInt()).toString();
                case 1 -> "10.0.0." + r.nextInt(256); // claims to be a trusted proxy
                default -> FIXED_FORGERIES[r.nextInt(FIXED_FORGERIES.length)];
            });
        }
        IpAddress client;
        do {
            client = IpAddress.v4(r.nextInt());
        } while (TRUSTED.contains(client) || client.lo() == 0); // 0.0.0.0 names no client: refused, tested elsewhere
        List<IpAddress> proxies = new ArrayList<>();
        for (int i = 1 + r.nextInt(5); i > 0; i--) {
            long l = r.nextLong();
            proxies.add(r.nextBoolean() ? IpAddress.v4(0x0a000000 | r.nextInt(0x1000000))
                    : IpAddress.v6(0xfd00000000000000L | (l >>> 8), l));
        }
        return new Chain(forged, client, proxies);
    }

    @Test
    void theClientCannotChooseTheResult() {
        Random r = new Random(SEED);
        for (int t = 0; t < 2000; t++) {
            Chain chain = chain(r);
            // The client sends its forged list; each proxy appends the address it received the request from.
            List<String> xff = new ArrayList<>(chain.forged());
            xff.add(chain.client().toString());
            List<IpAddress> proxies = chain.proxies();
            for (int i = 0; i < proxies.size() - 1; i++) {
                xff.add(proxies.get(i).toString());
            }
            IpAddress peer = proxies.get(proxies.size() - 1);
            String header = String.join(", ", xff);

            ClientIpResult res = RESOLVER.resolve(peer, name -> name.equals("x-forwarded-for") ? List.of(header) : List.of());

            String as = "seed " + SEED + ", try " + t + ": " + header + " from " + peer;
            assertThat(res.rejected()).as(as).isFalse();
            assertThat(res.client()).as(as).isEqualTo(chain.client());
            assertThat(res.peer()).as(as).isEqualTo(peer);
        }
    }

    @Test
    void anUntrustedPeerIsAlwaysTheClient() {
        Random r = new Random(SEED + 1);
        for (int t = 0; t < 1000; t++) {
            Chain chain = chain(r);
            String header = String.join(", ", chain.forged()) + ", " + chain.client();
            ClientIpResult res = RESOLVER.resolve(chain.client(),
                    name -> name.equals("x-forwarded-for") ? List.of(header) : List.of());
            assertThat(res.client()).as("seed " + (SEED + 1) + ", try " + t + ": " + header).isEqualTo(chain.client());
        }
    }
}
