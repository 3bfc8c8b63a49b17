package dev.gatehouse.gateway.request;

import dev.gatehouse.core.policy.PolicySnapshot;
import java.util.UUID;

/**
 * Who a policy-checked request is: its organisation, the app its route is bound to (if any) and
 * the account its token names (if any).
 */
public record Identity(PolicySnapshot.Org org, UUID appId, String appName, PolicySnapshot.Account account) {
}
