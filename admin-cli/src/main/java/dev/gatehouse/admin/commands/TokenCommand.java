package dev.gatehouse.admin.commands;

import dev.gatehouse.admin.cli.ActorOption;
import dev.gatehouse.admin.cli.DatabaseOptions;
import dev.gatehouse.admin.cli.ExitCodes;
import dev.gatehouse.admin.cli.Output;
import dev.gatehouse.admin.cli.OutputOptions;
import dev.gatehouse.admin.cli.UsageException;
import dev.gatehouse.core.admin.Tokens;
import dev.gatehouse.core.db.Database;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code token create|list|revoke}: API tokens for an account. */
@Command(name = "token", mixinStandardHelpOptions = true, description = {"API tokens: create, list, revoke.", "",
        "A token's secret is shown once, when it is created; Gatehouse keeps only its SHA-256."},
        footer = {"", "Examples:", "  gatehouse-admin token create --org Acme ci --name deploy --expires-in-days 90",
                "  gatehouse-admin token list --org Acme", "  gatehouse-admin token revoke --org Acme gh_AbCdEfG"})
public final class TokenCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new UsageException("a subcommand is required: create, list or revoke");
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin token create --org Acme ci --name deploy --expires-in-days 90", "  TOKEN=$(gatehouse-admin token create --org Acme ci --name deploy -q)"},
            description = {"Creates a token and prints its secret, once.", "",
                    "Store the secret now: it is never shown again (Gatehouse keeps only its SHA-256)."})
    int create(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org,
               @Parameters(paramLabel = "ACCOUNT", description = "The account the token acts as, by name.") String account,
               @Option(names = "--name", paramLabel = "NAME", description = "What the token is for.") String name,
               @Option(names = "--expires-in-days", paramLabel = "DAYS", description = "Default: never expires.") Integer days,
               @Option(names = {"-q", "--quiet"}, description = "Print only the secret (no note on stderr).") boolean quiet,
               @Mixin DatabaseOptions db, @Mixin ActorOption actor, @Mixin OutputOptions output) {
        if (days != null && days <= 0) {
            throw new UsageException("--expires-in-days must be at least 1, got " + days);
        }
        try (Database d = db.open()) {
            Tokens.Created t = new Tokens(d.dataSource(), actor.actor()).create(org, account, name,
                    days == null ? null : Duration.ofDays(days));
            PrintWriter out = spec.commandLine().getOut();
            if (output.json) {
                Output.json(out, t);
            } else {
                out.println(t.secret());
                if (!quiet) {
                    spec.commandLine().getErr().println("token " + t.id() + " (" + t.prefix() + "…) created"
                        + (t.expiresAt() == null ? "" : ", expires " + t.expiresAt()) + "; the secret above is not stored: keep it now");
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin token list --org Acme"},
            description = {"Lists tokens (never their secrets).", "",
                    "With their last use (the gateways write it about once a minute)."})
    int list(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org,
             @Option(names = "--account", paramLabel = "ACCOUNT", description = "Only this account's tokens.") String account,
             @Mixin DatabaseOptions db, @Mixin OutputOptions output) {
        try (Database d = db.open()) {
            List<Tokens.TokenSummary> rows = new Tokens(d.dataSource(), "-").list(org, account);
            Output.rows(spec.commandLine().getOut(), output.json, rows, "prefix", "account", "name", "created_at",
                    "expires_at", "revoked_at", "last_used_at", "id");
            return ExitCodes.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin token revoke --org Acme gh_AbCdEfG", "  gatehouse-admin token revoke --org Acme 6f1c2b3a-4e5d-4000-8000-0123456789ab \\", "      --yes"},
            description = {"Revokes a token, by id or prefix.", "",
                    "Gateways refuse it within their propagation time."})
    int revoke(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org,
               @Parameters(paramLabel = "TOKEN", description = "The token's id, or the prefix list shows (gh_...).") String token, @Mixin DatabaseOptions db, @Mixin ActorOption actor,
               @Mixin OutputOptions output) {
        try (Database d = db.open()) {
            Tokens.Revoked r = new Tokens(d.dataSource(), actor.actor()).revoke(org, token);
            if (output.json) {
                Output.json(spec.commandLine().getOut(), r);
                return ExitCodes.OK;
            }
            spec.commandLine().getOut().println("Revoked token " + r.id() + " (" + r.prefix() + "…) of " + r.account());
            return ExitCodes.OK;
        }
    }
}
