package dev.gatehouse.core.policy;

import dev.gatehouse.core.net.IpAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Everything enforcement needs, read from the database at one instant and never changed after:
 * organisations with their apps, accounts and policies, and the API tokens. A new snapshot
 * replaces the old one atomically; a request sees one or the other, never a mix.
 *
 * <p>A snapshot with a few organisations read afresh shares everything else with the one before it, the maps'
 * untouched shards included ({@link ShardedMap}): a change costs in proportion to its organisation. Each
 * organisation carries the version it was read at ({@link Org#version()}), and the snapshot the {@link #watermark()}
 * from which the next version check looks for changes.
 */
public final class PolicySnapshot {
    private final ShardedMap<String, Org> orgsByName;
    private final ShardedMap<UUID, Org> orgsById;
    private final ShardedMap<TokenHash, Token> tokens;
    /** Each organisation's tokens, so that reloading it finds its old ones without a scan of every token. */
    private final ShardedMap<UUID, List<TokenHash>> tokensByOrg;
    private final Instant loadedAt;
    private final long watermark;

    /**
     * A snapshot of these maps (copied), with no watermark: the first version check then looks at every
     * organisation's version.
     *
     * @param loadedAt when it was read
     */
    public PolicySnapshot(Map<String, Org> orgsByName, Map<UUID, Org> orgsById, Map<TokenHash, Token> tokens,
                          Instant loadedAt) {
        this(ShardedMap.copyOf(orgsByName), ShardedMap.copyOf(orgsById), ShardedMap.copyOf(tokens),
                tokensByOrg(tokens), loadedAt, 0);
    }

    PolicySnapshot(ShardedMap<String, Org> orgsByName, ShardedMap<UUID, Org> orgsById,
                   ShardedMap<TokenHash, Token> tokens, ShardedMap<UUID, List<TokenHash>> tokensByOrg,
                   Instant loadedAt, long watermark) {
        this.orgsByName = orgsByName;
        this.orgsById = orgsById;
        this.tokens = tokens;
        this.tokensByOrg = tokensByOrg;
        this.loadedAt = loadedAt;
        this.watermark = watermark;
    }

    static ShardedMap<UUID, List<TokenHash>> tokensByOrg(Map<TokenHash, Token> tokens) {
        Map<UUID, List<TokenHash>> byOrg = new HashMap<>();
        tokens.forEach((hash, t) -> byOrg.computeIfAbsent(t.orgId(), k -> new ArrayList<>()).add(hash));
        byOrg.replaceAll((org, hashes) -> List.copyOf(hashes));
        return ShardedMap.copyOf(byOrg);
    }

    /** The organisations by name (immutable). */
    public Map<String, Org> orgsByName() {
        return orgsByName;
    }

    /** The organisations by id (immutable). */
    public Map<UUID, Org> orgsById() {
        return orgsById;
    }

    /** The API tokens by the hash of their secret (immutable). */
    public Map<TokenHash, Token> tokens() {
        return tokens;
    }

    ShardedMap<UUID, List<TokenHash>> tokensByOrg() {
        return tokensByOrg;
    }

    /** When it was last known current: read, or confirmed by a version check that found nothing changed. */
    public Instant loadedAt() {
        return loadedAt;
    }

    /**
     * Where the next version check starts: every change made by a transaction whose id (PostgreSQL's 64-bit
     * {@code xid8}) is below it is in this snapshot. 0: unknown, the check looks at every version.
     */
    public long watermark() {
        return watermark;
    }

    /** This snapshot, confirmed current at {@code at} up to {@code watermark}. */
    PolicySnapshot checked(Instant at, long newWatermark) {
        return new PolicySnapshot(orgsByName, orgsById, tokens, tokensByOrg, at, newWatermark);
    }

    /**
     * An organisation.
     *
     * @param auditMode         the organisation's; {@code appAuditModes} holds the apps that set their own
     * @param sessionsNotBefore a sign-in session issued at or before it is over ({@code sso revoke --all}); null: never
     * @param ssoBreakGlassAt   since when {@code disable-org-sso} has freed every route of the organisation from
     *                          sign-in, {@code sso = required} ones included; null: not in break-glass
     * @param revokedSessions   the ids of the sessions signed out that have not expired yet (immutable; one shared
     *                          empty set when there are none)
     * @param version           the organisation's policy version when it was read ({@code policy_versions}: a new
     *                          one in every transaction that changes what the organisation enforces); 0 when it
     *                          has none yet
     */
    public record Org(UUID id, String name, boolean requireSso, List<CompiledPolicy> globalPolicies,
                      Map<String, UUID> appsByName, Map<UUID, Account> accounts, AuditMode auditMode,
                      Map<UUID, AuditMode> appAuditModes, List<SsoProvider> ssoProviders, Instant sessionsNotBefore,
                      Instant ssoBreakGlassAt, Set<String> revokedSessions, long version) {

        /** An organisation without a version (built by hand, as tests and benchmarks do). */
        public Org(UUID id, String name, boolean requireSso, List<CompiledPolicy> globalPolicies,
                   Map<String, UUID> appsByName, Map<UUID, Account> accounts, AuditMode auditMode,
                   Map<UUID, AuditMode> appAuditModes, List<SsoProvider> ssoProviders, Instant sessionsNotBefore,
                   Instant ssoBreakGlassAt, Set<String> revokedSessions) {
            this(id, name, requireSso, globalPolicies, appsByName, accounts, auditMode, appAuditModes, ssoProviders,
                    sessionsNotBefore, ssoBreakGlassAt, revokedSessions, 0);
        }

        /**
         * Whether a session of this organisation is over though it has not expired: signed out ({@code sessionId} on
         * the deny list), or issued at or before the organisation's or its account's not-before instant
         * ({@code sso revoke}). Asked on every signed-in request: in memory, allocates nothing.
         *
         * <p>{@code issuedAt} may be truncated (a JWT's {@code iat} is in seconds): a session issued in the same second
         * as a revocation counts as revoked, never the other way round. The not-before instants are the database's
         * clock; a gateway whose clock runs ahead of it by a second keeps the sessions issued in the second before a
         * revocation. An account not in the snapshot (removed) is not this method's to refuse: the caller refuses it.
         *
         * @param issuedAt null counts as revoked when any not-before instant is set
         */
        public boolean sessionRevoked(String sessionId, UUID accountId, Instant issuedAt) {
            if (sessionId != null && revokedSessions.contains(sessionId)) {
                return true;
            }
            if (sessionsNotBefore != null && (issuedAt == null || !issuedAt.isAfter(sessionsNotBefore))) {
                return true;
            }
            Account a = accountId == null ? null : accounts.get(accountId);
            Instant accountNotBefore = a == null ? null : a.sessionsNotBefore();
            return accountNotBefore != null && (issuedAt == null || !issuedAt.isAfter(accountNotBefore));
        }

        /** Whether {@code disable-org-sso} has freed every route of the organisation from sign-in. */
        public boolean ssoBreakGlass() {
            return ssoBreakGlassAt != null;
        }

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
                if (a.kind() == AccountKind.MEMBER && a.email() != null && a.email().equalsIgnoreCase(email)) {
                    return a;
                }
            }
            return null;
        }

        /** The app's own setting, else the organisation's. */
        public AuditMode auditMode(UUID appId) {
            AuditMode m = appId == null ? null : appAuditModes.get(appId);
            return m != null ? m : auditMode;
        }
    }

    /**
     * An account (member or service) and the policies assigned to it.
     *
     * @param sessionsNotBefore a sign-in session of the account issued at or before it is over ({@code sso revoke
     *                          --account}); null: never
     */
    public record Account(UUID id, UUID orgId, String name, AccountKind kind, String role, String email,
                          List<CompiledPolicy> assigned, Instant sessionsNotBefore) {
    }

    /**
     * An OpenID Connect provider of an organisation (never its secret: where the gateway reads it).
     *
     * @param allowedDomains empty: any; else the verified email's domain must be one of them
     * @param autoCreate     "member" or null (never create an account)
     * @param emailVouched   the provider's email is trusted without email_verified
     * @param sessionsNotBefore when the provider was last disabled: the sessions made through it before are over,
     *                       even once it is enabled again; null when never
     * @param callbackPath   {@link #SHARED_CALLBACK_PATH} for a provider registered before each had a callback of its
     *                       own (it keeps the one registered at the provider), else null: see {@link #redirectPath()}
     */
    public record SsoProvider(UUID id, String name, String issuer, String clientId, String clientSecretRef,
                              List<String> allowedDomains, String autoCreate, boolean emailVouched, boolean enabled,
                              String callbackPath, Instant sessionsNotBefore) {
        /** A provider never disabled (sessionsNotBefore null). */
        public SsoProvider(UUID id, String name, String issuer, String clientId, String clientSecretRef,
                           List<String> allowedDomains, String autoCreate, boolean emailVouched, boolean enabled,
                           String callbackPath) {
            this(id, name, issuer, clientId, clientSecretRef, allowedDomains, autoCreate, emailVouched, enabled,
                    callbackPath, null);
        }

        /** Whether a session made through this provider at {@code issuedAt} ended when the provider was disabled. */
        public boolean endedSession(Instant issuedAt) {
            return sessionsNotBefore != null && !issuedAt.isAfter(sessionsNotBefore);
        }

        /** The one callback every provider shared before schema version 8. */
        public static final String SHARED_CALLBACK_PATH = "/.gatehouse/callback";

        /**
         * Where the provider sends the browser back, under the public base URL: the provider's own callback,
         * {@code /.gatehouse/callback/<id>}, so that a response is only ever taken for the provider it was meant for;
         * the shared one for a provider registered with it.
         */
        public String redirectPath() {
            return redirectPath(id, callbackPath);
        }

        /** {@link #redirectPath()} of a provider known by its id and stored callback_path. */
        public static String redirectPath(UUID id, String callbackPath) {
            return callbackPath != null ? callbackPath : SHARED_CALLBACK_PATH + "/" + id;
        }
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
