package dev.gatehouse.core.policy;

import java.util.UUID;

/**
 * What the policies say about one request.
 *
 * @param allowed  whether the request may pass
 * @param policyId the policy that decided (the deny that matched, the allow that matched, or for a
 *                 request outside every allow list the first restricting policy); null when no policy applied
 * @param reason   in words, for logs and `policy check` (never shown to the client)
 */
public record Decision(boolean allowed, UUID policyId, String reason) {
    static final Decision NO_POLICY = new Decision(true, null, "no applicable policy");
    static final Decision NOTHING_RESTRICTS = new Decision(true, null,
            "no deny entry matched and no policy restricts to an allow list");
}
