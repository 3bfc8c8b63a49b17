package dev.gatehouse.admin.commands;

import dev.gatehouse.admin.cli.ActorOption;
import dev.gatehouse.admin.cli.Confirmation;
import dev.gatehouse.admin.cli.DatabaseOptions;
import dev.gatehouse.admin.cli.ExitCodes;
import dev.gatehouse.admin.cli.GlobalOptions;
import dev.gatehouse.admin.cli.Output;
import dev.gatehouse.admin.cli.OutputOptions;
import dev.gatehouse.admin.cli.UsageException;
import dev.gatehouse.core.admin.Maintenance;
import dev.gatehouse.core.db.Database;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** retention, db-stats, vacuum. */
public final class MaintenanceCommands {
    private MaintenanceCommands() {
    }

    @Command(name = "retention", mixinStandardHelpOptions = true,
            description = {"Audit-log retention: set, show.", "",
                    "How long access events are kept, per organisation (and per-app override); an organisation's sign-in events"
                            + " (audit sign-ins) follow its retention."},
            footer = {"", "Examples:", "  gatehouse-admin retention set Acme 90", "  gatehouse-admin retention set Acme 30 --app vault",
                    "  gatehouse-admin retention set Acme --off", "  gatehouse-admin retention show"})
    public static final class Retention implements Runnable {
        @Spec CommandSpec spec;

        /** What {@code retention set --json} prints: days null when retention is off. */
        record RetentionSet(String org, String app, Integer retentionDays) {
        }

        @Override
        public void run() {
            throw new UsageException("a subcommand is required: set or show");
        }

        @Command(name = "set", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin retention set Acme 90", "  gatehouse-admin retention set Acme 30 --app vault", "  gatehouse-admin retention set Acme --off"}, description = "Sets the retention in days (--off: keep until purged).")
        int set(@Parameters(index = "0", paramLabel = "ORG", description = "The organisation, by name.") String org,
                @Parameters(index = "1", paramLabel = "DAYS", arity = "0..1", description = "Days to keep access events (or --off).") Integer days,
                @Option(names = "--app", paramLabel = "APP", description = "Only this app (an override).") String app,
                @Option(names = "--off", description = "No automatic retention.") boolean off,
                @Mixin DatabaseOptions db, @Mixin ActorOption actor, @Mixin OutputOptions output) {
            if (off == (days != null)) {
                throw new UsageException(off ? "give DAYS or --off, not both" : "DAYS (or --off) is required");
            }
            if (days != null && days < 0) {
                throw new UsageException("DAYS must be 0 or more, got " + days);
            }
            try (Database d = db.open()) {
                new Maintenance(d.dataSource(), actor.actor()).setRetention(org, app, days);
                if (output.json) {
                    Output.json(spec.commandLine().getOut(), new RetentionSet(org, app, days));
                } else {
                    spec.commandLine().getOut().println("Retention of " + org + (app == null ? "" : "/" + app) + ": "
                            + (days == null ? "off" : days + " days"));
                }
                return ExitCodes.OK;
            }
        }

        @Command(name = "show", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin retention show", "  gatehouse-admin retention show --json"}, description = {"Shows every organisation's retention.", "", "With every app override."})
        int show(@Mixin DatabaseOptions db, @Mixin OutputOptions output) {
            try (Database d = db.open()) {
                Output.rows(spec.commandLine().getOut(), output.json, new Maintenance(d.dataSource(), "-").retention(),
                        "org", "app", "retention_days", "audit_mode");
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "db-stats", mixinStandardHelpOptions = true,
            description = {"Sizes, tuples and vacuums of Gatehouse's tables.", "",
                    "Data, index and total size, live and dead tuples, last (auto)vacuum of every Gatehouse table;"
                            + " the partitioned audit log with the totals of its daily partitions (--partitions:"
                            + " each one). Rows in the audit log's default partition (outside every daily partition)"
                            + " are called out."},
            footer = {"", "Examples:", "  gatehouse-admin db-stats", "  gatehouse-admin db-stats --partitions --bytes"})
    public static final class DbStats implements Callable<Integer> {
        @Option(names = "--partitions", description = "List each partition under its table.")
        boolean partitions;
        @Option(names = "--bytes", description = "Sizes in bytes, not in KB/MB/GB.")
        boolean bytes;
        @Mixin DatabaseOptions db;
        @Mixin OutputOptions output;
        @Spec CommandSpec spec;

        /** A line of the table: sizes in bytes with --bytes, else in KB/MB/GB; a partition indented under its table. */
        record StatsLine(String table, Long partitions, Object dataBytes, Object indexBytes, Object totalBytes, long live,
                         long dead, Instant lastVacuum, Instant lastAutovacuum) {
        }

        private Object size(long n) {
            return bytes ? n : human(n);
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (Database d = db.open()) {
                Maintenance m = new Maintenance(d.dataSource(), "-");
                List<Maintenance.StatsRow> rows = m.stats(partitions);
                long stray = m.defaultPartitionRows();
                if (output.json) {
                    Output.json(out, rows);
                    return ExitCodes.OK;
                }
                List<StatsLine> shown = new ArrayList<>();
                for (Maintenance.StatsRow r : rows) {
                    if (r instanceof Maintenance.TableStats t) {
                        shown.add(new StatsLine(t.table(), t.partitions(), size(t.dataBytes()), size(t.indexBytes()),
                                size(t.totalBytes()), t.live(), t.dead(), t.lastVacuum(), t.lastAutovacuum()));
                    } else if (r instanceof Maintenance.PartitionStats p) {
                        shown.add(new StatsLine("  " + p.table(), null, size(p.dataBytes()), size(p.indexBytes()),
                                size(p.totalBytes()), p.live(), p.dead(), p.lastVacuum(), p.lastAutovacuum()));
                    }
                }
                Output.table(out, shown, "table", "partitions", "data_bytes", "index_bytes", "total_bytes", "live",
                        "dead", "last_vacuum", "last_autovacuum");
                if (stray > 0) {
                    out.println("access_events_default holds " + stray + " rows outside every daily partition: the"
                            + " gateways' partition maintenance moves them (gatehouse_audit_default_partition_rows).");
                }
                return ExitCodes.OK;
            }
        }
    }

    /** 1536 -> "1.5 KB": binary units, one decimal. */
    static String human(long bytes) {
        String[] units = {"B", "KB", "MB", "GB", "TB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    @Command(name = "vacuum", mixinStandardHelpOptions = true,
            description = {"Runs VACUUM on one Gatehouse table or all of them.", "",
                    "Per table: the size and dead tuples before and after, and the time taken (--verbose adds"
                            + " VACUUM VERBOSE's own report).",
                    "",
                    "--full rewrites the table to return disk space, but holds an exclusive lock that blocks the"
                            + " gateways' audit writes meanwhile (they spool): prefer purge-logs --all-orgs, which"
                            + " drops partitions."},
            footer = {"", "Examples:", "  gatehouse-admin vacuum --analyze access_events", "  gatehouse-admin vacuum --full admin_actions --yes"})
    public static final class Vacuum implements Callable<Integer> {
        @Parameters(paramLabel = "TABLE", arity = "0..1", description = "Default: every Gatehouse table.")
        String table;
        @Option(names = "--full", description = "VACUUM FULL: exclusive lock, returns space to the OS.")
        boolean full;
        @Option(names = "--analyze", description = "Also update planner statistics.")
        boolean analyze;
        @Mixin DatabaseOptions db;
        @Mixin Confirmation confirmation;
        @Mixin ActorOption actor;
        @Mixin OutputOptions output;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            if (full) {
                confirmation.require("VACUUM FULL takes an exclusive lock that blocks the gateways' writes to "
                        + (table == null ? "every table" : table) + " until it finishes");
            }
            PrintWriter out = spec.commandLine().getOut();
            try (Database d = db.open()) {
                Maintenance.Vacuumed v = new Maintenance(d.dataSource(), actor.actor()).vacuum(table, full, analyze);
                if (output.json) { // one document: each table's figures (VACUUM VERBOSE's report is not part of it)
                    Output.json(out, v.tables());
                    return ExitCodes.OK;
                }
                if (GlobalOptions.of(spec).verbose()) {
                    v.report().forEach(out::println); // VACUUM VERBOSE's own report: long
                }
                for (Maintenance.VacuumResult r : v.tables()) {
                    out.println(r.table() + ": " + human(r.bytesBefore()) + " -> " + human(r.bytesAfter()) + " ("
                            + r.bytesBefore() + " -> " + r.bytesAfter() + " bytes), dead tuples " + r.deadBefore()
                            + " -> " + r.deadAfter() + ", " + r.millis() + " ms");
                }
                return ExitCodes.OK;
            }
        }
    }
}
