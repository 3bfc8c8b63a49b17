package dev.gatehouse.admin.commands;

import dev.gatehouse.admin.cli.ActorOption;
import dev.gatehouse.admin.cli.Confirmation;
import dev.gatehouse.admin.cli.DatabaseOptions;
import dev.gatehouse.admin.cli.ExitCodes;
import dev.gatehouse.admin.cli.Output;
import dev.gatehouse.admin.cli.OutputOptions;
import dev.gatehouse.admin.cli.UsageException;
import dev.gatehouse.core.admin.Recovery;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.sso.ProviderCheck;
import dev.gatehouse.core.sso.SsoSettings;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The lockout recoveries: global-policy reset and restore, and SSO enforcement off. */
public final class RecoveryCommands {
    private RecoveryCommands() {
    }

    /** {@code disable-org-sso --show}: a provider and whether it answers now. */
    record ProviderHealth(String name, String type, boolean enabled, UUID id, String issuer,
                          Instant lastSignInAt, boolean discovered, int signingKeys, String problem) {
    }

    record StateWithHealth(String org, UUID orgId, boolean requireSso, Instant ssoBreakGlassAt,
                           List<ProviderHealth> providers) {
    }

    /** {@code restore-global-policies --dry-run --json}. */
    record WouldRestore(List<Recovery.ResetPolicy> wouldRestore, List<Recovery.SkippedPolicy> skipped, Instant resetAt) {
    }

    /** {@code restore-global-policies --json}. */
    record Restored(List<Recovery.ResetPolicy> restored, List<Recovery.SkippedPolicy> skipped, Instant resetAt) {
    }

    /** "{verb} N global policies{tail}" and the table, or the JSON array alone. */
    static void printPolicies(PrintWriter out, boolean json, String verb, List<Recovery.ResetPolicy> rows, String tail) {
        if (!json) {
            out.println(verb + " " + rows.size() + " global polic" + (rows.size() == 1 ? "y" : "ies") + tail);
        }
        Output.rows(out, json, rows, "org", "policy", "policy_id");
    }

    @Command(name = "reset-global-policies", mixinStandardHelpOptions = true,
            description = {"Emergency: turns global policies off (lockout).", "",
                    "Turns every global network policy into a non-global one (is_global=false), for all"
                            + " organisations or one, so nobody is locked out by them. Prints what changed and"
                            + " remembers it, so `restore-global-policies` can turn back on exactly those policies."
                            + " Running gateways apply it within their propagation time."},
            footer = {"", "Examples:", "  gatehouse-admin reset-global-policies --org Acme --dry-run",
                    "  gatehouse-admin reset-global-policies --org Acme --yes"})
    public static final class Reset implements Callable<Integer> {
        @Option(names = "--org", paramLabel = "ORG", description = "Only this organisation (default: all).")
        String org;
        @Option(names = "--dry-run", description = "Show what would change; change nothing.")
        boolean dryRun;
        @Option(names = "--force", description = "Even if it would deny an admin seen allowed in the last 24 hours"
                + " (a global allow policy may be all that allows them).")
        boolean force;
        @Mixin DatabaseOptions database;
        @Mixin Confirmation confirmation;
        @Mixin ActorOption actor;
        @Mixin OutputOptions output;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (Database db = database.open()) {
                Recovery r = new Recovery(db.dataSource(), actor.actor());
                if (dryRun) {
                    printPolicies(out, output.json, "Would turn off", r.globalPolicies(org), ":");
                } else {
                    confirmation.require("This turns off the global network policies of "
                            + (org == null ? "EVERY organisation" : "organisation '" + org + "'"));
                    List<Recovery.ResetPolicy> rows = r.resetGlobalPolicies(org, force);
                    printPolicies(out, output.json, "Turned off", rows,
                            rows.isEmpty() ? "." : " (restore with: gatehouse-admin restore-global-policies --org ORG):");
                }
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "restore-global-policies", mixinStandardHelpOptions = true,
            description = {"Turns back on what the last reset turned off.", "",
                    "For one organisation: only the global policies nobody has changed since (the others are"
                            + " listed as skipped, with why), and each organisation's part of a reset at most once."
                            + " Refused if it would deny an admin seen allowed in the last 24 hours, unless --force."},
            footer = {"", "Examples:", "  gatehouse-admin restore-global-policies --org Acme --dry-run",
                    "  gatehouse-admin restore-global-policies --org Acme --yes"})
    public static final class Restore implements Callable<Integer> {
        @Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation.")
        String org;
        @Option(names = "--dry-run", description = "Show what would change; change nothing.")
        boolean dryRun;
        @Option(names = "--force", description = "Even if it would deny an admin seen allowed in the last 24 hours.")
        boolean force;
        @Mixin DatabaseOptions database;
        @Mixin Confirmation confirmation;
        @Mixin ActorOption actor;
        @Mixin OutputOptions output;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (Database db = database.open()) {
                Recovery r = new Recovery(db.dataSource(), actor.actor());
                Recovery.RestorePlan plan;
                if (dryRun) {
                    plan = r.planRestore(org);
                } else {
                    confirmation.require("This turns the global network policies of organisation '" + org
                            + "' back on as the last reset found them");
                    plan = r.restoreGlobalPolicies(org, force);
                }
                if (output.json) {
                    Output.json(out, dryRun ? new WouldRestore(plan.restore(), plan.skipped(), plan.resetAt())
                            : new Restored(plan.restore(), plan.skipped(), plan.resetAt()));
                } else {
                    printPolicies(out, false, dryRun ? "Would turn back on" : "Turned back on", plan.restore(),
                            plan.restore().isEmpty() ? "." : ":");
                    if (!plan.skipped().isEmpty()) {
                        out.println("Left as they are (" + plan.skipped().size() + "):");
                        Output.rows(out, false, plan.skipped(), "org", "policy", "why");
                    }
                }
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "disable-org-sso", mixinStandardHelpOptions = true,
            description = {"Emergency: stops requiring SSO when the IdP breaks.", "",
                    "--show prints the organisation's SSO state and changes nothing; --disable-enforcement sets"
                            + " require_sso=false and leaves the providers; --disable-providers also disables (never"
                            + " deletes) every provider, which ends the sessions they made.", "",
                    "Either is the break-glass: within the propagation time the gateways serve every route of the"
                            + " organisation without sign-in, those with sso = required too (the network policy"
                            + " alone decides; no identity headers), until `gatehouse-admin sso require` turns"
                            + " enforcement on again."},
            footer = {"", "Examples:", "  gatehouse-admin disable-org-sso --org Acme --show",
                    "  gatehouse-admin disable-org-sso --org Acme --disable-enforcement --yes",
                    "  gatehouse-admin sso require --org Acme    # the end of the break-glass"})
    public static final class DisableSso implements Callable<Integer> {
        @Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation.")
        String org;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Mode mode;

        static final class Mode {
            @Option(names = "--show", description = "Print the SSO state; change nothing.")
            boolean show;
            @Option(names = "--disable-enforcement", description = "require_sso = false and break-glass; providers"
                    + " unchanged.")
            boolean enforcement;
            @Option(names = "--disable-providers", description = "require_sso = false, break-glass, and every"
                    + " provider disabled.")
            boolean providers;
        }

        @Mixin DatabaseOptions database;
        @Mixin Confirmation confirmation;
        @Mixin ActorOption actor;
        @Mixin OutputOptions output;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (Database db = database.open()) {
                Recovery r = new Recovery(db.dataSource(), actor.actor());
                Recovery.SsoState state;
                if (mode.show) {
                    state = r.ssoState(org);
                } else {
                    if (org.isBlank()) {
                        throw new UsageException("--org must not be empty");
                    }
                    confirmation.require("This turns off SSO enforcement for organisation '" + org + "', on every"
                            + " route (sso = required ones too)" + (mode.providers ? ", and disables its identity providers"
                            : ""));
                    Recovery.SsoState before = r.ssoState(org);
                    state = r.disableSso(org, mode.providers);
                    if (!output.json) {
                        out.println(before.requireSso() ? "require_sso turned off." : "require_sso was already false.");
                        if (mode.providers) {
                            long enabled = before.providers().stream().filter(Recovery.SsoProvider::enabled).count();
                            out.println(enabled == 0 ? "Every provider was already disabled."
                                    : "Disabled " + enabled + " provider" + (enabled == 1 ? "" : "s") + " (none deleted).");
                        }
                    }
                }
                print(out, state);
                return ExitCodes.OK;
            }
        }

        private void print(PrintWriter out, Recovery.SsoState state) {
            Object shown = state;
            List<ProviderHealth> health = List.of();
            if (mode.show) { // the providers' health too: what a break-glass decision wants to know
                Duration timeout = SsoSettings.from(database.config()).checkTimeout();
                health = state.providers().stream().map(p -> {
                    ProviderCheck.Health h = p.issuer() == null ? null
                            : ProviderCheck.check(p.issuer(), timeout);
                    return new ProviderHealth(p.name(), p.type(), p.enabled(), p.id(), p.issuer(), p.lastSignInAt(),
                            h != null && h.discovered(), h == null ? 0 : h.signingKeys(),
                            h == null ? "no issuer configured" : h.problem());
                }).toList();
                shown = new StateWithHealth(state.org(), state.orgId(), state.requireSso(), state.ssoBreakGlassAt(),
                        health);
            }
            if (output.json) {
                Output.json(out, shown);
                return;
            }
            out.println("organisation: " + state.org() + " (" + state.orgId() + ")");
            out.println("require_sso:  " + state.requireSso());
            out.println("break-glass:  " + (state.ssoBreakGlassAt() == null ? "off"
                    : "on since " + state.ssoBreakGlassAt() + ": every route is served without sign-in, sso = required"
                    + " ones too, until `gatehouse-admin sso require --org " + state.org() + "`"));
            if (mode.show) {
                Output.table(out, health, "name", "enabled", "issuer", "discovered", "signing_keys", "last_sign_in_at", "problem");
            } else {
                Output.table(out, state.providers(), "name", "type", "enabled", "id");
            }
        }
    }
}
