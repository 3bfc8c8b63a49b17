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
 * Pure; the lists are short (a handful of policies), each lookup is O(log n) in its entries.
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
            return new Decision(false, deny.id(), "denied by policy '" + deny.name() + "'");
        }
        CompiledPolicy restricting = null;
        for (List<CompiledPolicy> list : List.of(global, assigned)) {
            for (CompiledPolicy p : list) {
                if (!p.hasAllow()) {
                    continue;
                }
                if (p.allows(ip)) {
                    return new Decision(true, p.id(), "allowed by policy '" + p.name() + "'");
                }
                if (restricting == null) {
                    restricting = p;
                }
            }
        }
        if (restricting != null) {
            return new Decision(false, restricting.id(), "not in any allow list (first: policy '" + restricting.name() + "')");
        }
        return global.isEmpty() && assigned.isEmpty() ? Decision.NO_POLICY
                : new Decision(true, null, "no deny entry matched and no policy restricts to an allow list");
    }

    private static CompiledPolicy firstDenying(List<CompiledPolicy> policies, IpAddress ip) {
        for (CompiledPolicy p : policies) {
            if (p.denies(ip)) {
                return p;
            }
        }
        return null;
    }
}
