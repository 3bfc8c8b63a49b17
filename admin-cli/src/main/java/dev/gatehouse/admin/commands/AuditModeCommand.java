package dev.gatehouse.admin.commands;

import dev.gatehouse.admin.cli.ActorOption;
import dev.gatehouse.admin.cli.DatabaseOptions;
import dev.gatehouse.admin.cli.ExitCodes;
import dev.gatehouse.admin.cli.Output;
import dev.gatehouse.admin.cli.OutputOptions;
import dev.gatehouse.admin.cli.UsageException;
import dev.gatehouse.core.admin.Maintenance;
import dev.gatehouse.core.db.Database;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** audit-mode set / show: how an organisation's (or one app's) requests are recorded. */
@Command(name = "audit-mode", mixinStandardHelpOptions = true,
        description = {"How requests are audited: set, show.", "",
                "How requests are recorded in the audit log, per organisation (and per-app override)."},
        footer = {"", "Modes:", "  full        one row per request (the default)",
                "  aggregated  one row per organisation, app, account, client IP, decision",
                "              and minute, with a count: for clients that poll",
                "  off         nothing recorded",
                "  inherit     (--app only) the app follows its organisation again",
                "", "Gateways apply a change within moments, as they do a policy change.",
                "", "Examples:", "  gatehouse-admin audit-mode set Acme aggregated",
                "  gatehouse-admin audit-mode set Acme off --app healthcheck", "  gatehouse-admin audit-mode show"})
public final class AuditModeCommand implements Runnable {
    private static final List<String> MODES = List.of("full", "aggregated", "off");

    @Spec CommandSpec spec;

    /** What {@code audit-mode set --json} prints: the mode null when the app inherits its organisation's. */
    record ModeSet(String org, String app, String auditMode, boolean inherited) {
    }

    @Override
    public void run() {
        throw new UsageException("a subcommand is required: set or show");
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin audit-mode set Acme aggregated", "  gatehouse-admin audit-mode set Acme inherit --app vault"},
            description = "Sets the audit mode: full, aggregated or off (with --app also inherit).")
    int set(@Parameters(index = "0", paramLabel = "ORG", description = "The organisation, by name.") String org,
            @Parameters(index = "1", paramLabel = "MODE", description = "full, aggregated or off (with --app also inherit).") String mode,
            @Option(names = "--app", paramLabel = "APP", description = "Only this app (an override).") String app,
            @Mixin DatabaseOptions db, @Mixin ActorOption actor, @Mixin OutputOptions output) {
        boolean inherit = mode.equals("inherit");
        if (!MODES.contains(mode) && !(inherit && app != null)) {
            throw new UsageException("MODE must be full, aggregated or off" + (app == null ? "" : " (or inherit)")
                    + ", got '" + mode + "'");
        }
        try (Database d = db.open()) {
            new Maintenance(d.dataSource(), actor.actor()).setAuditMode(org, app, inherit ? null : mode);
            if (output.json) {
                Output.json(spec.commandLine().getOut(), new ModeSet(org, app, inherit ? null : mode, inherit));
            } else {
                spec.commandLine().getOut().println("Audit mode of " + org + (app == null ? "" : "/" + app) + ": "
                        + (inherit ? "inherited from " + org : mode));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin audit-mode show"},
            description = {"Shows every organisation's mode and retention.", "",
                    "With every app override."})
    int show(@Mixin DatabaseOptions db, @Mixin OutputOptions output) {
        try (Database d = db.open()) {
            Output.rows(spec.commandLine().getOut(), output.json, new Maintenance(d.dataSource(), "-").retention(),
                    "org", "app", "audit_mode", "retention_days");
            return ExitCodes.OK;
        }
    }
}
