package dev.gatehouse.core.policy;

import dev.gatehouse.core.net.IpAddress;
import java.util.List;

/**
 * The policy semantics, exactly:
 * <ol>
 * <li>applicable policies = the organisation's global policies ∪ the policies assigned to the account;</li>
 * <li>the client IP matches a deny entry of any applicable policy → deny;</li>
 * <li>otherwise, if any applicable policy has allow entries, the IP must match one of them → else deny;</li>
 * <li>no applicable policy (or none with allow entries) → allow.</li>
 * </ol>
 * Pure and allocation-free (each policy carries its prebuilt decisions); the lists are short (a
 * handful of policies), each lookup is O(log n) in its entries.
 */
public final class PolicyEvaluator {
    private PolicyEvaluator() {
    }

    public static Decision decide(List<CompiledPolicy> global, List<CompiledPolicy> assigned, IpAddress ip) {
        CompiledPolicy deny = firstDenying(global, ip);
        if (deny == null) {
            deny = firstDenying(assigned, ip);
        }
        if (deny != null) {
            return deny.deniedBy();
        }
        CompiledPolicy restricting = null;
        for (int i = 0, n = global.size() + assigned.size(); i < n; i++) {
            CompiledPolicy p = i < global.size() ? global.get(i) : assigned.get(i - global.size());
            if (!p.hasAllow()) {
                continue;
            }
            if (p.allows(ip)) {
                return p.allowedBy();
            }
            if (restricting == null) {
                restricting = p;
            }
        }
        if (restricting != null) {
            return restricting.outsideAllowList();
        }
        return global.isEmpty() && assigned.isEmpty() ? Decision.NO_POLICY : Decision.NOTHING_RESTRICTS;
    }

    private static CompiledPolicy firstDenying(List<CompiledPolicy> policies, IpAddress ip) {
        for (int i = 0, n = policies.size(); i < n; i++) {
            CompiledPolicy p = policies.get(i);
            if (p.denies(ip)) {
                return p;
            }
        }
        return null;
    }
}
