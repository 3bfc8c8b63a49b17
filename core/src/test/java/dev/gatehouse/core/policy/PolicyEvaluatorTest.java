package dev.gatehouse.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.net.Cidr;
import dev.gatehouse.core.net.CidrSet;
import dev.gatehouse.core.net.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The semantics table from the policies issue, one row per case. */
class PolicyEvaluatorTest {
    static CompiledPolicy policy(String name, String... entries) {
        List<Cidr> allow = new ArrayList<>();
        List<Cidr> deny = new ArrayList<>();
        for (String e : entries) {
            String[] p = e.split(" ", 2);
            (p[0].equals("allow") ? allow : deny).add(Cidr.parse(p[1]));
        }
        return new CompiledPolicy(UUID.nameUUIDFromBytes(name.getBytes()), name, false, CidrSet.of(allow), CidrSet.of(deny),
                !allow.isEmpty());
    }

    static Decision decide(List<CompiledPolicy> global, List<CompiledPolicy> assigned, String ip) {
        return PolicyEvaluator.decide(global, assigned, IpAddress.parse(ip));
    }

    final CompiledPolicy office = policy("office", "allow 203.0.113.0/24", "allow 2001:db8:1::/48");
    final CompiledPolicy vpn = policy("vpn", "allow 198.51.100.0/24");
    final CompiledPolicy blocklist = policy("blocklist", "deny 203.0.113.66/32", "deny 2001:db8:1:bad::/64");
    final CompiledPolicy denyOnly = policy("deny-only", "deny 192.0.2.0/24");

    @Test
    void noPoliciesAllow() {
        Decision d = decide(List.of(), List.of(), "8.8.8.8");
        assertThat(d.allowed()).isTrue();
        assertThat(d.policyId()).isNull();
    }

    @Test
    void globalOnly() {
        assertThat(decide(List.of(office), List.of(), "203.0.113.5").allowed()).isTrue();
        Decision out = decide(List.of(office), List.of(), "8.8.8.8");
        assertThat(out.allowed()).isFalse();
        assertThat(out.policyId()).isEqualTo(office.id());
    }

    @Test
    void accountOnly() {
        assertThat(decide(List.of(), List.of(vpn), "198.51.100.9").allowed()).isTrue();
        assertThat(decide(List.of(), List.of(vpn), "203.0.113.5").allowed()).isFalse();
    }

    @Test
    void bothAreOneUnion() {
        assertThat(decide(List.of(office), List.of(vpn), "198.51.100.9").allowed()).as("allowed by the account's").isTrue();
        assertThat(decide(List.of(office), List.of(vpn), "203.0.113.5").allowed()).as("allowed by the global").isTrue();
        assertThat(decide(List.of(office), List.of(vpn), "8.8.8.8").allowed()).isFalse();
    }

    @Test
    void denyBeatsAllow() {
        Decision d = decide(List.of(office, blocklist), List.of(), "203.0.113.66");
        assertThat(d.allowed()).isFalse();
        assertThat(d.policyId()).isEqualTo(blocklist.id());
        assertThat(decide(List.of(office), List.of(blocklist), "203.0.113.66").allowed()).as("an assigned deny too").isFalse();
    }

    @Test
    void policyWithNoAllowEntriesOnlyDenies() {
        assertThat(decide(List.of(denyOnly), List.of(), "8.8.8.8").allowed()).isTrue();
        assertThat(decide(List.of(denyOnly), List.of(), "192.0.2.1").allowed()).isFalse();
    }

    @Test
    void ipv6AndMappedIpv4() {
        assertThat(decide(List.of(office), List.of(), "2001:db8:1:2::7").allowed()).isTrue();
        assertThat(decide(List.of(office), List.of(), "2001:db8:2::7").allowed()).isFalse();
        assertThat(decide(List.of(office, blocklist), List.of(), "2001:db8:1:bad::1").allowed()).isFalse();
        assertThat(decide(List.of(office), List.of(), "::ffff:203.0.113.5").allowed()).as("mapped = IPv4").isTrue();
    }
}
