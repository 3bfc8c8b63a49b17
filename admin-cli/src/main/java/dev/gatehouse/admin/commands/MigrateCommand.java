package dev.gatehouse.admin.commands;

import dev.gatehouse.admin.cli.ActorOption;
import dev.gatehouse.admin.cli.DatabaseOptions;
import dev.gatehouse.admin.cli.ExitCodes;
import dev.gatehouse.admin.cli.Output;
import dev.gatehouse.admin.cli.OutputOptions;
import dev.gatehouse.admin.cli.Table;
import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.admin.AdminLog;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.db.Migrations;
import dev.gatehouse.core.util.Json;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code migrate}, {@code migrate info}, {@code migrate validate}. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {
                "Applies pending schema migrations: info, validate.", "",
                "Prints each version applied. Migrations are one-way: take a backup first. Several processes"
                        + " may run this at once; PostgreSQL's advisory lock lets one apply each version."},
        footer = {"", "Examples:",
                "  gatehouse-admin migrate",
                "  gatehouse-admin migrate --dry-run",
                "  gatehouse-admin migrate info",
                "  gatehouse-admin migrate validate"})
public final class MigrateCommand implements Callable<Integer> {
    /** What {@code migrate validate --json} prints when the schema is current. */
    record Valid(boolean valid, String version, List<String> pending) {
    }

    @Mixin
    DatabaseOptions database;

    @Mixin
    ActorOption actor;

    @Option(names = "--dry-run", description = "List what would be applied, change nothing.")
    boolean dryRun;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Database db = database.open()) {
            Migrations m = new Migrations(db.dataSource());
            if (dryRun) {
                m.validate();
                List<String> pending = m.pending();
                if (pending.isEmpty()) {
                    out.println("Nothing to apply: the schema is current.");
                } else {
                    pending.forEach(v -> out.println("Would apply V" + v));
                }
                return ExitCodes.OK;
            }
            List<String> before = m.info().stream().filter(v -> "Success".equals(v.state())).map(Migrations.Version::version)
                    .toList();
            List<Migrations.Version> applied = m.migrate();
            for (Migrations.Version v : applied) {
                out.println("Applied V" + v.version() + " (" + v.description() + ")");
            }
            if (!applied.isEmpty()) { // every change leaves its row, a migration too
                try (Connection c = db.connection()) {
                    AdminLog.record(c, actor.actor(), "migrate", db.description(),
                            Map.of("version", before.isEmpty() ? "none" : "V" + before.get(before.size() - 1)),
                            Map.of("version", "V" + applied.get(applied.size() - 1).version(),
                                    "applied", applied.stream().map(v -> "V" + v.version()).toList()));
                } catch (SQLException e) {
                    throw new GatehouseException("the migrations were applied, but their admin_actions"
                            + " row could not be written: " + Database.sqlReason(e), e);
                }
            }
            if (applied.isEmpty()) {
                out.println("Nothing to apply: the schema is current.");
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin migrate info", "  gatehouse-admin migrate info --json"},
            description = "Lists every migration, applied and pending, with its state.")
    int info(@Mixin DatabaseOptions db, @Mixin OutputOptions output) {
        PrintWriter out = spec.commandLine().getOut();
        try (Database d = db.open()) {
            List<Migrations.Version> all = new Migrations(d.dataSource()).info();
            if (output.json) {
                out.println(Json.write(all.stream().map(v -> new Migrations.Version(v.version(), v.description(), v.state(),
                        v.installedOn().isEmpty() ? null : v.installedOn())).toList()));
            } else {
                Table t = new Table("VERSION", "DESCRIPTION", "STATE", "INSTALLED ON");
                all.forEach(v -> t.row(v.version(), v.description(), v.state(), v.installedOn()));
                t.print(out);
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin migrate validate", "  DATABASE_URL=postgres://gh:secret@db:5432/gatehouse \\", "      gatehouse-admin migrate validate --json"},
            description = {"Checks the schema is exactly what this Gatehouse expects.", "",
                    "Applied migrations unchanged, none failed, none newer than this binary, none pending."
                            + " Exit 1 otherwise."})
    int validate(@Mixin DatabaseOptions db, @Mixin OutputOptions output) {
        try (Database d = db.open()) {
            Migrations m = new Migrations(d.dataSource());
            m.requireCurrent(); // else a failure: one line on stderr, exit 1
            List<Migrations.Version> all = m.info();
            String version = all.get(all.size() - 1).version();
            if (output.json) {
                Output.json(spec.commandLine().getOut(), new Valid(true, version, List.of()));
            } else {
                spec.commandLine().getOut().println("Schema valid: at V" + version + ", nothing pending.");
            }
            return ExitCodes.OK;
        }
    }
}
