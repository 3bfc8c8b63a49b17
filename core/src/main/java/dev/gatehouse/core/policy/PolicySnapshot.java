package dev.gatehouse.core.policy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Everything enforcement needs, read from the database at one instant and never changed after:
 * organisations with their apps, accounts and policies, and the API tokens. A new snapshot
 * replaces the old one atomically; a request sees one or the other, never a mix.
 *
 * @param loadedAt when it was read
 */
public record PolicySnapshot(Map<String, Org> orgsByName, Map<UUID, Org> orgsById, Map<TokenHash, Token> tokens,
                             Instant loadedAt) {

    /** An organisation. */
    public record Org(UUID id, String name, boolean requireSso, List<CompiledPolicy> globalPolicies,
                      Map<String, UUID> appsByName, Map<UUID, Account> accounts, String auditMode,
                      Map<UUID, String> appAuditModes) {

        /** full, aggregated or off: the app's own setting, else the organisation's. */
        public String auditMode(UUID appId) {
            String m = appId == null ? null : appAuditModes.get(appId);
            return m != null ? m : auditMode;
        }
    }

    /** An account (member or service) and the policies assigned to it. */
    public record Account(UUID id, UUID orgId, String name, String kind, String role, List<CompiledPolicy> assigned) {
    }

    /** An API token, by the hash of its secret. */
    public record Token(UUID id, UUID accountId, UUID orgId, Instant expiresAt, Instant revokedAt) {
        /** Why the token cannot be used at {@code now}, or null. */
        public String unusable(Instant now) {
            if (revokedAt != null) {
                return "revoked";
            }
            if (expiresAt != null && !now.isBefore(expiresAt)) {
                return "expired";
            }
            return null;
        }
    }

    public Org org(String name) {
        return orgsByName.get(name);
    }

    public Org org(UUID id) {
        return orgsById.get(id);
    }

    public Token token(TokenHash hash) {
        return tokens.get(hash);
    }

    /** The decision for a request of {@code org} (and {@code account}, or null) from {@code ip}. */
    public Decision decide(Org org, Account account, dev.gatehouse.core.net.IpAddress ip) {
        return PolicyEvaluator.decide(org.globalPolicies(), account == null ? List.of() : account.assigned(), ip);
    }
}
