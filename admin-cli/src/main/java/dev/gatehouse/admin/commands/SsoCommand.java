package dev.gatehouse.admin.commands;

import dev.gatehouse.admin.cli.ActorOption;
import dev.gatehouse.admin.cli.Confirmation;
import dev.gatehouse.admin.cli.DatabaseOptions;
import dev.gatehouse.admin.cli.ExitCodes;
import dev.gatehouse.admin.cli.Output;
import dev.gatehouse.admin.cli.OutputOptions;
import dev.gatehouse.admin.cli.UsageException;
import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.admin.SsoKeys;
import dev.gatehouse.core.admin.SsoProviders;
import dev.gatehouse.core.admin.SsoSessions;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.core.sso.IssuerUrl;
import dev.gatehouse.core.sso.KeyEncryption;
import dev.gatehouse.core.sso.ProviderCheck;
import dev.gatehouse.core.sso.SsoSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sso}: an organisation's OpenID Connect providers, whether it requires sign-in, and whether they answer. */
@Command(name = "sso", mixinStandardHelpOptions = true,
        description = {"Single sign-on: provider, require, check, revoke.", "",
                "An organisation's OpenID Connect providers, whether it requires sign-in, whether its providers"
                        + " answer, and ending sign-in sessions."},
        subcommands = {SsoCommand.Provider.class, SsoCommand.Require.class, SsoCommand.Check.class,
                SsoCommand.Revoke.class},
        footer = {"", "Examples:",
                "  gatehouse-admin sso provider add --org Acme okta \\",
                "      --issuer https://acme.okta.com --client-id 0oa1b2c3 \\",
                "      --client-secret-file /etc/gatehouse/okta.secret",
                "  gatehouse-admin sso check --org Acme",
                "  gatehouse-admin sso require --org Acme",
                "  gatehouse-admin sso revoke --org Acme --account alice --yes"})
public final class SsoCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new UsageException("a subcommand is required (see --help)");
    }

    /**
     * One provider's check, as printed (and as --json).
     *
     * @param redirectUri  to register with the provider: the public base URL and the redirect path; null without a
     *                     public base URL
     * @param redirectPath the provider's own callback path, or the shared one it was registered with
     * @param ssoKeys      how the gateways' keys are stored: the same for every provider (like the redirect URI),
     *                     repeated in each so that the JSON array stays an array of providers
     */
    record ProviderStatus(String provider, String issuer, boolean enabled, boolean discovered, String authorizationEndpoint,
                          String tokenEndpoint, String jwksUri, int signingKeys, String clientSecret, String redirectUri,
                          String redirectPath, String problem, SsoKeys.Storage ssoKeys) {
    }

    /** Where the secret is, and whether this machine can read it (the gateway's may differ: said so). */
    static String secretStatus(String ref) {
        if (ref.startsWith("env:")) {
            String v = System.getenv(ref.substring(4));
            return ref + (v == null || v.isEmpty() ? " (not set in this environment: set it where the gateway runs)" : " (set)");
        }
        Path p = Path.of(ref.substring(5));
        return ref + (Files.isReadable(p) ? " (readable)" : " (not readable here: the gateway must be able to read it)");
    }

    static ProviderStatus check(SsoProviders.Provider p, SsoSettings settings, SsoKeys.Storage keys) {
        ProviderCheck.Health h = ProviderCheck.check(p.issuer(), settings.checkTimeout());
        return new ProviderStatus(p.name(), p.issuer(), p.enabled(), h.discovered(), h.authorizationEndpoint(),
                h.tokenEndpoint(), h.jwksUri(), h.signingKeys(), secretStatus(p.clientSecretRef()),
                settings.publicBaseUrl().isEmpty() ? null : settings.publicBaseUrl() + p.redirectPath(), p.redirectPath(),
                h.problem(), keys);
    }

    /**
     * Whether the gateways' keys in sso_keys are encrypted, as one line; when some are plain, how to fix it. The
     * configuration's own key (when this machine has one) is compared with the keys the rows are under.
     */
    static String keysAtRest(SsoKeys.Storage keys, SsoSettings settings) {
        long all = keys.plain() + keys.encrypted();
        if (all == 0) {
            return "SSO keys: none in sso_keys yet (a gateway writes them when it starts).";
        }
        if (keys.plain() > 0) {
            return "SSO keys: " + keys.plain() + " of " + all + " in sso_keys stored unencrypted, so a database dump"
                    + " forges sessions and assertions. Fix: give every gateway the same " + SsoSettings.KEY_ENCRYPTION_KEY_FILE
                    + " (openssl rand -base64 32 > FILE) and restart them; the first to start encrypts them.";
        }
        String under = String.join(", ", keys.keyEncryptionKeys());
        String line = "SSO keys: " + all + " in sso_keys, all encrypted (key-encryption key" + (keys.keyEncryptionKeys()
                .size() == 1 ? " " : "s ") + under + ")";
        if (keys.keyEncryptionKeys().size() > 1) {
            return line + ": every gateway needs the same key; one whose key opens only some of them refuses to start.";
        }
        KeyEncryption mine = settings.keyEncryption();
        if (mine != null && !keys.keyEncryptionKeys().contains(mine.id())) {
            return line + ", not under this configuration's key " + mine.id() + ": a gateway started with it would refuse"
                    + " to start.";
        }
        return line + ".";
    }

    @Command(name = "provider", mixinStandardHelpOptions = true,
            description = {"OpenID Connect providers: add, list, disable...", "",
                    "An organisation's providers: add, list, show, enable, disable, remove."},
            footer = {"", "Examples:",
                    "  gatehouse-admin sso provider add --org Acme okta \\",
                    "      --issuer https://acme.okta.com --client-id 0oa1b2c3 \\",
                    "      --client-secret-env OKTA_SECRET --allowed-domain acme.com",
                    "  gatehouse-admin sso provider list --org Acme",
                    "  gatehouse-admin sso provider disable --org Acme okta"})
    public static final class Provider implements Runnable {
        @Spec CommandSpec spec;

        @Override
        public void run() {
            throw new UsageException("a subcommand is required (see --help)");
        }

        static final class Secret {
            @Option(names = "--client-secret-file", paramLabel = "FILE", required = true,
                    description = "A file holding the client secret; the gateway reads it (the database keeps only its path).")
            Path file;
            @Option(names = "--client-secret-env", paramLabel = "NAME", required = true,
                    description = "An environment variable the gateway reads the client secret from.")
            String env;
        }

        @Command(name = "add", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin sso provider add --org Acme okta \\", "      --issuer https://acme.okta.com --client-id 0oa1b2c3 \\", "      --client-secret-env OKTA_SECRET --allowed-domain acme.com"},
                description = {"Adds an OpenID Connect provider (enabled).", "",
                        "Check it with `sso check`, then require sign-in with `sso require`."})
        int add(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org,
                @Parameters(paramLabel = "NAME", description = "The provider's name within the organisation (okta, entra...).") String name,
                @Option(names = "--issuer", required = true, paramLabel = "URL",
                        description = "The issuer identifier, exactly as the provider's discovery document states it.") String issuer,
                @Option(names = "--client-id", required = true, paramLabel = "ID",
                        description = "The client (application) id registered with the provider.") String clientId,
                @ArgGroup(exclusive = true, multiplicity = "1") Secret secret,
                @Option(names = "--allowed-domain", paramLabel = "DOMAIN",
                        description = "Only users whose verified email is in this domain (repeatable; default: any).") List<String> domains,
                @Option(names = "--auto-create", paramLabel = "member",
                        description = "Create a member account for a signed-in user with none (default: never).") String autoCreate,
                @Option(names = "--email-verified-by-provider",
                        description = "Trust the provider's email even without email_verified (a provider whose directory owns the addresses).") boolean vouched,
                @Mixin DatabaseOptions db, @Mixin ActorOption actor, @Mixin OutputOptions output) {
            if (name.isBlank()) {
                throw new UsageException("NAME must not be empty");
            }
            String ref;
            List<String> allowed;
            try {
                if (secret.file != null && !Files.isReadable(secret.file)) {
                    throw new IllegalArgumentException("--client-secret-file: cannot read " + secret.file);
                }
                if (secret.file != null && Files.size(secret.file) == 0) {
                    throw new IllegalArgumentException("--client-secret-file: " + secret.file + " is empty");
                }
                ref = SsoProviders.secretRef(secret.file == null ? null : secret.file.toString(), secret.env);
                allowed = SsoProviders.domains(domains == null ? List.of() : domains);
                IssuerUrl.check(issuer);
            } catch (IllegalArgumentException | IOException e) {
                throw new UsageException(e.getMessage());
            }
            try (Database d = db.open()) {
                SsoProviders.Provider p;
                try {
                    p = new SsoProviders(d.dataSource(), actor.actor()).add(org, new SsoProviders.NewProvider(name.trim(),
                            issuer, clientId, ref, allowed, autoCreate, vouched));
                } catch (IllegalArgumentException e) {
                    throw new UsageException(e.getMessage());
                }
                PrintWriter out = spec.commandLine().getOut();
                if (output.json) {
                    Output.json(out, p);
                } else {
                    out.println("Added provider " + p.name() + " to " + org + " (" + p.issuer() + ", client " + p.clientId()
                            + ", secret from " + p.clientSecretRef() + ").");
                    out.println("Next: gatehouse-admin sso check --org " + org + ", then gatehouse-admin sso require --org " + org);
                }
                return ExitCodes.OK;
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin sso provider list --org Acme"}, description = "Lists an organisation's providers.")
        int list(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org, @Mixin DatabaseOptions db,
                 @Mixin OutputOptions output) {
            try (Database d = db.open()) {
                Output.rows(spec.commandLine().getOut(), output.json, new SsoProviders(d.dataSource(), "-").list(org),
                        "name", "enabled", "issuer", "client_id", "allowed_domains", "last_sign_in_at");
                return ExitCodes.OK;
            }
        }

        @Command(name = "show", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin sso provider show --org Acme okta --json"}, description = "Shows a provider (never its secret).")
        int show(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org,
                 @Parameters(paramLabel = "NAME", description = "The provider, by name.") String name, @Mixin DatabaseOptions db, @Mixin OutputOptions output) {
            try (Database d = db.open()) {
                SsoProviders.Provider p = new SsoProviders(d.dataSource(), "-").show(org, name);
                PrintWriter out = spec.commandLine().getOut();
                if (output.json) {
                    Output.json(out, p);
                } else {
                    Output.fields(out, p, "name", "org", "id", "enabled", "issuer", "client_id", "client_secret_ref",
                            "allowed_domains", "auto_create", "email_vouched", "last_sign_in_at", "updated_at");
                }
                return ExitCodes.OK;
            }
        }

        @Command(name = "enable", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin sso provider enable --org Acme okta"}, description = "Enables a provider.")
        int enable(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org,
                   @Parameters(paramLabel = "NAME", description = "The provider, by name.") String name, @Mixin DatabaseOptions db, @Mixin ActorOption actor,
                   @Mixin OutputOptions output) {
            return setEnabled(org, name, true, db, actor, output);
        }

        @Command(name = "disable", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin sso provider disable --org Acme okta --yes"},
                description = {"Disables a provider.", "",
                        "Nobody signs in with it, and the sessions it made stop working."})
        int disable(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org,
                    @Parameters(paramLabel = "NAME", description = "The provider, by name.") String name, @Mixin DatabaseOptions db, @Mixin ActorOption actor,
                    @Mixin OutputOptions output) {
            return setEnabled(org, name, false, db, actor, output);
        }

        private int setEnabled(String org, String name, boolean on, DatabaseOptions db, ActorOption actor,
                               OutputOptions output) {
            try (Database d = db.open()) {
                SsoProviders.Provider p = new SsoProviders(d.dataSource(), actor.actor()).enable(org, name, on);
                if (output.json) {
                    Output.json(spec.commandLine().getOut(), p);
                    return ExitCodes.OK;
                }
                spec.commandLine().getOut().println((on ? "Enabled" : "Disabled") + " provider " + p.name() + " of " + org + ".");
                return ExitCodes.OK;
            }
        }

        @Command(name = "remove", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin sso provider remove --org Acme okta --yes"}, description = "Removes a provider.")
        int remove(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org,
                   @Parameters(paramLabel = "NAME", description = "The provider, by name.") String name, @Mixin DatabaseOptions db, @Mixin ActorOption actor,
                   @Mixin Confirmation confirmation, @Mixin OutputOptions output) {
            confirmation.require("This removes SSO provider '" + name + "' of organisation '" + org + "'");
            try (Database d = db.open()) {
                SsoProviders.Provider p = new SsoProviders(d.dataSource(), actor.actor()).remove(org, name);
                if (output.json) {
                    Output.json(spec.commandLine().getOut(), p);
                    return ExitCodes.OK;
                }
                spec.commandLine().getOut().println("Removed provider " + p.name() + " of " + org + ".");
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "require", mixinStandardHelpOptions = true,
            description = {"Requires sign-in on browser routes (--off: not).", "",
                    "For the organisation's browser routes. Refused unless an enabled provider answers (its discovery"
                            + " document and keys are fetched now); names the admins who never signed in, who must"
                            + " before enforcement reaches them.", "",
                    "It also ends a break-glass (disable-org-sso): the routes with sso = required ask for sign-in"
                            + " again. --off leaves those asking; only the break-glass frees them."},
            footer = {"", "Examples:", "  gatehouse-admin sso require --org Acme", "  gatehouse-admin sso require --org Acme --off"})
    public static final class Require implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org;
        @Option(names = "--off", description = "Stop requiring sign-in on sso = auto routes (sso = required ones still"
                + " ask: disable-org-sso, the break-glass, frees those too).") boolean off;
        @Mixin DatabaseOptions db;
        @Mixin ActorOption actor;
        @Mixin OutputOptions output;

        @Override
        public Integer call() {
            SsoSettings settings = SsoSettings.from(db.config());
            try (Database d = db.open()) {
                SsoProviders providers = new SsoProviders(d.dataSource(), actor.actor());
                if (!off) {
                    List<String> problems = new ArrayList<>();
                    boolean anyOk = false;
                    for (SsoProviders.Provider p : providers.list(org)) {
                        if (p.enabled()) {
                            ProviderCheck.Health h = ProviderCheck.check(p.issuer(), settings.checkTimeout());
                            if (h.ok()) {
                                anyOk = true;
                            } else {
                                problems.add(p.name() + ": " + h.problem());
                            }
                        }
                    }
                    if (!anyOk) {
                        throw new GatehouseException("refused: no enabled provider of organisation '" + org + "' answers"
                                + (problems.isEmpty() ? " (none is enabled)" : " (" + String.join("; ", problems) + ")")
                                + "; nothing changed");
                    }
                }
                SsoProviders.Requirement r = providers.require(org, !off);
                PrintWriter out = spec.commandLine().getOut();
                if (output.json) {
                    Output.json(out, r);
                    return ExitCodes.OK;
                }
                out.println(off ? "Organisation " + org + " no longer requires sign-in."
                        : "Organisation " + org + " requires sign-in on its browser routes.");
                if (r.breakGlassEnded()) {
                    out.println("Break-glass ended: its routes with sso = required ask for sign-in again.");
                }
                if (!off && !r.adminsNeverSignedIn().isEmpty()) {
                    spec.commandLine().getErr().println("gatehouse-admin: warning: these admins never signed in: "
                            + String.join(", ", r.adminsNeverSignedIn()));
                }
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Checks that each provider answers.", "",
                    "Fetches each provider's discovery document and keys, as the gateway will, and prints the"
                            + " provider's redirect URI to register in its console (its own callback,"
                            + " /.gatehouse/callback/<provider id>, or the shared one a provider added before them was"
                            + " registered with). Exit 1 when an enabled provider fails. Also says whether the"
                            + " gateways' own SSO keys are stored encrypted in the database"
                            + " (gatehouse.sso.key-encryption-key-file)."},
            footer = {"", "Examples:", "  gatehouse-admin sso check --org Acme", "  gatehouse-admin sso check --org Acme --json"})
    public static final class Check implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org;
        @Mixin DatabaseOptions db;
        @Mixin OutputOptions output;

        @Override
        public Integer call() {
            SsoSettings settings = SsoSettings.from(db.config());
            List<ProviderStatus> statuses = new ArrayList<>();
            SsoKeys.Storage keys;
            try (Database d = db.open()) {
                keys = SsoKeys.storage(d.dataSource());
                for (SsoProviders.Provider p : new SsoProviders(d.dataSource(), "-").list(org)) {
                    statuses.add(check(p, settings, keys));
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            boolean failed = statuses.isEmpty() || statuses.stream().anyMatch(s -> s.enabled() && s.problem() != null);
            if (output.json) {
                Output.json(out, statuses);
                return failed ? ExitCodes.FAILURE : ExitCodes.OK;
            }
            if (statuses.isEmpty()) {
                out.println("Organisation " + org + " has no SSO provider (gatehouse-admin sso provider add).");
                out.println(keysAtRest(keys, settings));
                return ExitCodes.FAILURE;
            }
            for (ProviderStatus s : statuses) {
                out.println(s.provider() + (s.enabled() ? "" : " (disabled)") + ": " + (s.problem() == null ? "ok" : s.problem()));
                out.println("  issuer:         " + s.issuer());
                if (s.discovered()) {
                    out.println("  authorization:  " + s.authorizationEndpoint());
                    out.println("  token:          " + s.tokenEndpoint());
                    out.println("  keys:           " + s.signingKeys() + " signing key" + (s.signingKeys() == 1 ? "" : "s")
                            + " at " + s.jwksUri());
                }
                out.println("  client secret:  " + s.clientSecret());
                out.println("  redirect URI:   " + (s.redirectUri() != null ? s.redirectUri()
                        : "<public-base-url>" + s.redirectPath() + " (set gatehouse.sso.public-base-url)")
                        + (s.redirectPath().equals(PolicySnapshot.SsoProvider.SHARED_CALLBACK_PATH)
                        ? " (the shared one it was registered with)" : ""));
            }
            out.println("Register each provider's redirect URI in its console. Scopes the gateway asks for: openid email"
                    + " profile");
            out.println(keysAtRest(keys, settings));
            return failed ? ExitCodes.FAILURE : ExitCodes.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = {"Ends sign-in sessions: an account's, or all.", "",
                    "Every sign-in session of the account (--account), or of every account of the organisation (--all),"
                            + " issued until now is over: each gateway refuses it within the policy propagation time"
                            + " (moments, no restart) and the browser is asked to sign in again, which makes a new"
                            + " session. It costs no database call per request: the instant is in each gateway's"
                            + " policy snapshot, compared with the session's issue time. API tokens are not sessions"
                            + " (token revoke). Recorded in admin_actions."},
            footer = {"", "Examples:",
                    "  gatehouse-admin sso revoke --org Acme --account alice --yes",
                    "  gatehouse-admin sso revoke --org Acme --all --yes --json"})
    public static final class Revoke implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Whose whose;

        static final class Whose {
            @Option(names = "--account", required = true, paramLabel = "NAME",
                    description = "The account whose sessions end, by name.") String account;
            @Option(names = "--all", required = true,
                    description = "Every account's sessions in the organisation.") boolean all;
        }

        @Mixin DatabaseOptions db;
        @Mixin Confirmation confirmation;
        @Mixin ActorOption actor;
        @Mixin OutputOptions output;

        @Override
        public Integer call() {
            if (org.isBlank() || whose.account != null && whose.account.isBlank()) {
                throw new UsageException("--org and --account must not be empty");
            }
            confirmation.require(whose.all ? "This ends every sign-in session of organisation '" + org + "'"
                    : "This ends the sign-in sessions of account '" + whose.account + "' of organisation '" + org + "'");
            try (Database d = db.open()) {
                SsoSessions.Revocation r = new SsoSessions(d.dataSource(), actor.actor()).revoke(org,
                        whose.all ? null : whose.account);
                PrintWriter out = spec.commandLine().getOut();
                if (output.json) {
                    Output.json(out, r);
                    return ExitCodes.OK;
                }
                if (r.account() == null) {
                    out.println("Revoked every sign-in session of " + org + " issued until " + r.sessionsNotBefore() + " ("
                            + r.memberAccounts() + " member account" + (r.memberAccounts() == 1 ? "" : "s") + ").");
                } else {
                    out.println("Revoked the sign-in sessions of " + r.account() + " in " + org + " issued until "
                            + r.sessionsNotBefore() + ".");
                }
                out.println("Every gateway refuses them within the policy propagation time, with no database call per"
                        + " request; signing in again makes a new session.");
                if (r.account() != null && r.memberAccounts() == 0) {
                    spec.commandLine().getErr().println("gatehouse-admin: warning: " + r.account() + " is a service"
                            + " account: it never signs in (its API tokens are unchanged: gatehouse-admin token revoke)");
                }
                return ExitCodes.OK;
            }
        }
    }
}
