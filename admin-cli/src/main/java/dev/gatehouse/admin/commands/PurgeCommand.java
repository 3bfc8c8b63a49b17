package dev.gatehouse.admin.commands;

import dev.gatehouse.admin.cli.ActorOption;
import dev.gatehouse.admin.cli.Confirmation;
import dev.gatehouse.admin.cli.DatabaseOptions;
import dev.gatehouse.admin.cli.ExitCodes;
import dev.gatehouse.admin.cli.OutputOptions;
import dev.gatehouse.admin.cli.UsageException;
import dev.gatehouse.core.admin.AuditPurge;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.util.Json;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code purge-logs}: deletes audit events older than a cutoff. */
@Command(name = "purge-logs", mixinStandardHelpOptions = true,
        description = {"Deletes access events older than --retain days.", "",
                "An organisation's (or one app's) events go in batches of short transactions, so gateways keep"
                        + " inserting. Ctrl-C stops after the current batch and reports what was deleted; running"
                        + " again resumes. With --all-orgs, whole daily partitions older than the cutoff are dropped"
                        + " (instant, disk returned at once) and a partition holding the cutoff is deleted in"
                        + " batches. Partitions are UTC days, judged by their bounds."},
        footer = {"", "Examples:", "  gatehouse-admin purge-logs Acme --retain 90 --dry-run",
                "  gatehouse-admin purge-logs Acme --retain 90 --yes",
                "  gatehouse-admin purge-logs Acme --app vault --retain 30 --yes",
                "  gatehouse-admin purge-logs --all-orgs --retain 365 --yes"})
public final class PurgeCommand implements Callable<Integer> {
    @Parameters(paramLabel = "ORG_NAME", arity = "0..1", description = "The organisation (or --all-orgs).")
    String org;
    @Option(names = "--all-orgs", description = "Every organisation: drops whole partitions.")
    boolean allOrgs;
    @Option(names = "--retain", paramLabel = "DAYS", defaultValue = "30",
            description = "Keep the last DAYS days (default ${DEFAULT-VALUE}; 0 deletes everything).")
    int retain;
    @Option(names = "--app-id", paramLabel = "ID", description = "Only this app of the organisation, by id.")
    String appId;
    @Option(names = "--app", paramLabel = "NAME", description = "Only this app of the organisation, by name.")
    String appName;
    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "10000", description = "Rows per batch (default ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--dry-run", description = "Count what would be deleted; delete nothing.")
    boolean dryRun;
    @Mixin DatabaseOptions database;
    @Mixin Confirmation confirmation;
    @Mixin ActorOption actor;
    @Mixin OutputOptions output;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        if (retain < 0) {
            throw new UsageException("--retain must be 0 or more days, got " + retain);
        }
        if (batchSize < 1 || batchSize > 1_000_000) {
            throw new UsageException("--batch-size must be 1..1000000, got " + batchSize);
        }
        if ((org == null) == !allOrgs) {
            throw new UsageException(allOrgs ? "give ORG_NAME or --all-orgs, not both" : "ORG_NAME or --all-orgs is required");
        }
        if (allOrgs && (appId != null || appName != null || dryRun)) {
            throw new UsageException("--all-orgs goes without --app, --app-id and --dry-run");
        }
        if (appId != null && appName != null) {
            throw new UsageException("give --app or --app-id, not both");
        }
        UUID app = null;
        if (appId != null) {
            try {
                app = UUID.fromString(appId);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--app-id: '" + appId + "' is not an app id (a UUID)");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        Instant cutoff = AuditPurge.cutoff(retain);
        try (Database db = database.open()) {
            AuditPurge purge = new AuditPurge(db.dataSource(), actor.actor());
            if (appName != null) {
                app = purge.appId(org, appName);
            }
            if (dryRun) {
                long n = purge.count(org, app, cutoff);
                print(out, new WouldDelete(n, cutoff),
                        "Would delete " + n + " events older than " + cutoff + ".");
                return ExitCodes.OK;
            }
            confirmation.require(allOrgs
                    ? "This deletes the access events older than " + cutoff + " of EVERY organisation"
                    : "This deletes " + purge.count(org, app, cutoff) + " access events older than " + cutoff
                    + " of organisation '" + org + "'" + (appName != null ? " (app " + appName + ")" : ""));
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch finished = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                stop.set(true); // Ctrl-C: finish the current batch, then report
                try {
                    finished.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    // exiting anyway
                }
            }, "purge-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            ProgressReport report = new ProgressReport(spec.commandLine().getErr(), System.console() != null);
            try {
                AuditPurge.Result r = allOrgs ? purge.purgeAll(cutoff, batchSize, report::update, stop::get)
                        : purge.purgeOrg(org, app, cutoff, batchSize, report::update, stop::get);
                print(out, r, (r.stopped() ? "Stopped: " : "") + "deleted " + r.deleted() + " events"
                        + (allOrgs ? " and dropped " + r.partitionsDropped() + " daily partitions" : "")
                        + " older than " + r.cutoff() + (r.stopped() ? "; run again to resume." : "."));
                out.flush(); // before the Ctrl-C hook lets the JVM go: the summary is printed every time
            } finally {
                report.done();
                finished.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException alreadyShuttingDown) {
                    // Ctrl-C: the hook is running and waits for us
                }
            }
            return ExitCodes.OK;
        }
    }

    /** {@code --dry-run --json}. */
    record WouldDelete(long wouldDelete, Instant cutoff) {
    }

    private void print(PrintWriter out, Record doc, String text) {
        out.println(output.json ? Json.write(doc) : text);
    }

    /** A progress bar on a terminal; a plain line every few seconds otherwise. */
    static final class ProgressReport {
        private final PrintWriter err;
        private final boolean terminal;
        private final long start = System.nanoTime();
        private long lastLine;
        private boolean drawn;

        ProgressReport(PrintWriter err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
        }

        void update(long deleted, long total) {
            long now = System.nanoTime();
            double seconds = Math.max(0.001, (now - start) / 1e9);
            long rate = (long) (deleted / seconds);
            if (terminal) {
                int width = 30;
                int filled = total > 0 ? (int) Math.min(width, width * deleted / total) : 0;
                String eta = total > 0 && rate > 0 ? ", ETA " + Math.max(0, (total - deleted) / rate) + " s" : "";
                err.print("\r[" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + deleted
                        + (total > 0 ? "/" + total : "") + " rows, " + rate + " rows/s" + eta + "   ");
                err.flush();
                drawn = true;
            } else if (now - lastLine > 2_000_000_000L) {
                err.println("purge-logs: " + deleted + (total > 0 ? " of " + total : "") + " rows deleted, " + rate + " rows/s");
                lastLine = now;
            }
        }

        void done() {
            if (drawn) {
                err.println();
            }
        }
    }
}
