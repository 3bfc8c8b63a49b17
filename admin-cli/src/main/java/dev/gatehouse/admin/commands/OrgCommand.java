package dev.gatehouse.admin.commands;

import dev.gatehouse.admin.cli.ActorOption;
import dev.gatehouse.admin.cli.CreatedOutput;
import dev.gatehouse.admin.cli.DatabaseOptions;
import dev.gatehouse.admin.cli.ExitCodes;
import dev.gatehouse.admin.cli.Output;
import dev.gatehouse.admin.cli.OutputOptions;
import dev.gatehouse.admin.cli.UsageException;
import dev.gatehouse.core.admin.Organisations;
import dev.gatehouse.core.db.Database;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code org}, {@code app} and {@code account}: the organisations and who belongs to them. */
public final class OrgCommand {
    private OrgCommand() {
    }

    @Command(name = "org", mixinStandardHelpOptions = true, description = "Organisations: create, list, show.",
            footer = {"", "Examples:", "  gatehouse-admin org create Acme", "  gatehouse-admin org list --json",
                    "  gatehouse-admin org show Acme"})
    public static final class Org implements Runnable {
        @Spec CommandSpec spec;

        @Override
        public void run() {
            throw new UsageException("a subcommand is required (see --help)");
        }

        @Command(name = "create", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin org create Acme", "  gatehouse-admin org create Acme --retention-days 90 --require-sso", "  ORG=$(gatehouse-admin org create Acme -q)"}, description = "Creates an organisation (--quiet: prints only its id).")
        int create(@Parameters(paramLabel = "NAME", description = "The organisation's name (unique).") String name,
                   @Option(names = "--require-sso", description = "Members must sign in with SSO.") boolean sso,
                   @Option(names = "--retention-days", paramLabel = "DAYS",
                           description = "Audit log retention (default: keep until purged).") Integer retention,
                   @Mixin DatabaseOptions db, @Mixin ActorOption actor, @Mixin CreatedOutput output) {
            if (name.isBlank()) {
                throw new UsageException("NAME must not be empty");
            }
            if (retention != null && retention < 0) {
                throw new UsageException("--retention-days must be 0 or more, got " + retention);
            }
            try (Database d = db.open()) {
                output.print(spec.commandLine().getOut(), new CreatedOutput.Created("organisation", name.trim(), null,
                        new Organisations(d.dataSource(), actor.actor()).createOrg(name.trim(), sso, retention)));
                return ExitCodes.OK;
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin org list", "  gatehouse-admin org list --json"}, description = "Lists the organisations.")
        int list(@Mixin DatabaseOptions db, @Mixin OutputOptions output) {
            try (Database d = db.open()) {
                Output.rows(spec.commandLine().getOut(), output.json, new Organisations(d.dataSource(), "-").listOrgs(),
                        "name", "id", "require_sso", "retention_days", "audit_mode", "apps", "accounts", "policies");
                return ExitCodes.OK;
            }
        }

        @Command(name = "show", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin org show Acme"}, description = "Shows an organisation with its apps, accounts and policies.")
        int show(@Parameters(paramLabel = "NAME", description = "The organisation, by name.") String name, @Mixin DatabaseOptions db, @Mixin OutputOptions output) {
            try (Database d = db.open()) {
                Organisations.OrgDetail o = new Organisations(d.dataSource(), "-").showOrg(name);
                PrintWriter out = spec.commandLine().getOut();
                if (output.json) {
                    Output.json(out, o);
                    return ExitCodes.OK;
                }
                Output.fields(out, o, "name", "id", "require_sso", "retention_days", "audit_mode", "created_at");
                out.println("\napps:");
                Output.table(out, o.apps(), "name", "id");
                out.println("\naccounts:");
                Output.table(out, o.accounts(), "name", "kind", "role", "email", "id");
                out.println("\npolicies:");
                Output.table(out, o.policies(), "name", "is_global", "id");
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "app", mixinStandardHelpOptions = true, description = "Apps of an organisation: create, list.",
            footer = {"", "Examples:", "  gatehouse-admin app create --org Acme vault", "  gatehouse-admin app list --org Acme"})
    public static final class App implements Runnable {
        @Spec CommandSpec spec;

        @Override
        public void run() {
            throw new UsageException("a subcommand is required (see --help)");
        }

        @Command(name = "create", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin app create --org Acme vault"}, description = "Creates an app (--quiet: prints only its id).")
        int create(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org,
                   @Parameters(paramLabel = "NAME", description = "The app's name (unique in its organisation).") String name, @Mixin DatabaseOptions db, @Mixin ActorOption actor,
                   @Mixin CreatedOutput output) {
            if (name.isBlank()) {
                throw new UsageException("NAME must not be empty");
            }
            try (Database d = db.open()) {
                output.print(spec.commandLine().getOut(), new CreatedOutput.Created("app", name.trim(), org,
                        new Organisations(d.dataSource(), actor.actor()).createApp(org, name.trim())));
                return ExitCodes.OK;
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin app list --org Acme --json"}, description = "Lists an organisation's apps.")
        int list(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org, @Mixin DatabaseOptions db,
                 @Mixin OutputOptions output) {
            try (Database d = db.open()) {
                Output.rows(spec.commandLine().getOut(), output.json, new Organisations(d.dataSource(), "-").listApps(org),
                        "name", "id", "retention_days", "audit_mode");
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "account", mixinStandardHelpOptions = true,
            description = {"Accounts of an organisation: create, list.", "",
                    "Members (people, who may sign in) and service accounts (for API tokens)."},
            footer = {"", "Examples:", "  gatehouse-admin account create --org Acme alice --role admin \\",
                    "      --email alice@acme.test",
                    "  gatehouse-admin account create --org Acme ci --kind service", "  gatehouse-admin account list --org Acme"})
    public static final class Account implements Runnable {
        @Spec CommandSpec spec;

        @Override
        public void run() {
            throw new UsageException("a subcommand is required (see --help)");
        }

        enum Kind { member, service }

        enum Role { admin, member }

        @Command(name = "create", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin account create --org Acme alice --role admin \\", "      --email alice@acme.test", "  gatehouse-admin account create --org Acme ci --kind service"}, description = "Creates an account (--quiet: prints only its id).")
        int create(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org,
                   @Parameters(paramLabel = "NAME", description = "The account's name (unique in its organisation).") String name,
                   @Option(names = "--kind", paramLabel = "member|service", defaultValue = "member", description = "member or service (default: ${DEFAULT-VALUE}).") Kind kind,
                   @Option(names = "--role", paramLabel = "admin|member", defaultValue = "member", description = "admin or member (default: ${DEFAULT-VALUE}).") Role role,
                   @Option(names = "--email", paramLabel = "EMAIL", description = "The e-mail single sign-on matches to this account.") String email,
                   @Mixin DatabaseOptions db, @Mixin ActorOption actor, @Mixin CreatedOutput output) {
            if (name.isBlank()) {
                throw new UsageException("NAME must not be empty");
            }
            if (email != null && !email.matches("[^@\\s]+@[^@\\s]+")) {
                throw new UsageException("--email: '" + email + "' is not an email address");
            }
            try (Database d = db.open()) {
                output.print(spec.commandLine().getOut(), new CreatedOutput.Created("account", name.trim(), org,
                        new Organisations(d.dataSource(), actor.actor()).createAccount(org, name.trim(), kind.name(),
                                role.name(), email)));
                return ExitCodes.OK;
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin account list --org Acme"}, description = "Lists an organisation's accounts.")
        int list(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org, @Mixin DatabaseOptions db,
                 @Mixin OutputOptions output) {
            try (Database d = db.open()) {
                Output.rows(spec.commandLine().getOut(), output.json, new Organisations(d.dataSource(), "-").listAccounts(org),
                        "name", "kind", "role", "email", "policies", "id");
                return ExitCodes.OK;
            }
        }
    }
}
