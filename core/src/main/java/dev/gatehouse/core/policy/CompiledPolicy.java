package dev.gatehouse.core.policy;

import dev.gatehouse.core.net.CidrSet;
import dev.gatehouse.core.net.IpAddress;
import java.util.UUID;

/**
 * One network access policy, compiled: its allow and deny entries as {@link CidrSet}s.
 *
 * @param hasAllow true when the policy has at least one allow entry (then it restricts)
 */
public record CompiledPolicy(UUID id, String name, boolean global, CidrSet allow, CidrSet deny, boolean hasAllow) {

    public boolean denies(IpAddress ip) {
        return deny.contains(ip);
    }

    public boolean allows(IpAddress ip) {
        return allow.contains(ip);
    }
}
