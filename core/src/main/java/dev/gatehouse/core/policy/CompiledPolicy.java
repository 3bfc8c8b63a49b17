package dev.gatehouse.core.policy;

import dev.gatehouse.core.net.CidrSet;
import dev.gatehouse.core.net.IpAddress;
import java.util.UUID;

/**
 * One network access policy, compiled: its allow and deny entries as {@link CidrSet}s, and the three
 * decisions it can make, built once so that deciding allocates nothing.
 *
 * @param hasAllow true when the policy has at least one allow entry (then it restricts)
 */
public record CompiledPolicy(UUID id, String name, boolean global, CidrSet allow, CidrSet deny, boolean hasAllow,
                             Decision allowedBy, Decision deniedBy, Decision outsideAllowList) {

    public CompiledPolicy(UUID id, String name, boolean global, CidrSet allow, CidrSet deny, boolean hasAllow) {
        this(id, name, global, allow, deny, hasAllow,
                new Decision(true, id, "allowed by policy '" + name + "'"),
                new Decision(false, id, "denied by policy '" + name + "'"),
                new Decision(false, id, "not in any allow list (first: policy '" + name + "')"));
    }

    public boolean denies(IpAddress ip) {
        return deny.contains(ip);
    }

    public boolean allows(IpAddress ip) {
        return allow.contains(ip);
    }
}
