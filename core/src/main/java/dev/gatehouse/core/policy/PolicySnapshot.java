package dev.gatehouse.core.policy;

import dev.gatehouse.core.net.IpAddress;
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
                      Map<UUID, String> appAuditModes, List<SsoProvider> ssoProviders) {

        /** The enabled OpenID Connect providers members sign in with. */
        public List<SsoProvider> enabledProviders() {
            return ssoProviders.stream().filter(SsoProvider::enabled).toList();
        }

        /** Whether any provider is enabled (asked on every request of a sign-in route: allocates nothing). */
        public boolean hasEnabledProvider() {
            for (SsoProvider p : ssoProviders) {
                if (p.enabled()) {
                    return true;
                }
            }
            return false;
        }

        public SsoProvider provider(UUID id) {
            for (SsoProvider p : ssoProviders) {
                if (p.id().equals(id)) {
                    return p;
                }
            }
            return null;
        }

        /** The member account with this email (case-insensitive), or null. */
        public Account memberByEmail(String email) {
            for (Account a : accounts.values()) {
                if (a.kind().equals("member") && a.email() != null && a.email().equalsIgnoreCase(email)) {
                    return a;
                }
            }
            return null;
        }

        /** full, aggregated or off: the app's own setting, else the organisation's. */
        public String auditMode(UUID appId) {
            String m = appId == null ? null : appAuditModes.get(appId);
            return m != null ? m : auditMode;
        }
    }

    /** An account (member or service) and the policies assigned to it. */
    public record Account(UUID id, UUID orgId, String name, String kind, String role, String email,
                          List<CompiledPolicy> assigned) {
    }

    /**
     * An OpenID Connect provider of an organisation (never its secret: where the gateway reads it).
     *
     * @param allowedDomains empty: any; else the verified email's domain must be one of them
     * @param autoCreate     "member" or null (never create an account)
     * @param emailVouched   the provider's email is trusted without email_verified
     */
    public record SsoProvider(UUID id, String name, String issuer, String clientId, String clientSecretRef,
                              List<String> allowedDomains, String autoCreate, boolean emailVouched, boolean enabled) {
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
    public Decision decide(Org org, Account account, IpAddress ip) {
        return PolicyEvaluator.decide(org.globalPolicies(), account == null ? List.of() : account.assigned(), ip);
    }
}
