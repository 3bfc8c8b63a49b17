package dev.gatehouse.admin.commands;

import dev.gatehouse.admin.cli.DatabaseOptions;
import dev.gatehouse.admin.cli.ExitCodes;
import dev.gatehouse.admin.cli.Output;
import dev.gatehouse.admin.cli.OutputOptions;
import dev.gatehouse.admin.cli.UsageException;
import dev.gatehouse.core.admin.AuditLog;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.net.Cidr;
import dev.gatehouse.core.net.InvalidAddressException;
import dev.gatehouse.core.util.Json;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** audit search / tail: the access audit log read back, per organisation. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Reads the audit log back: search, tail, sign-ins.", "",
                "Search the access events, follow them as requests arrive, or list the sign-in events."},
        footer = {"", "Examples:", "  gatehouse-admin audit search --org Acme --decision deny --since 1h",
                "  gatehouse-admin audit search --org Acme --request-id 7f3c9e2a1b4d5e6f",
                "  gatehouse-admin audit search --org Acme --ip 203.0.113.0/24 --account alice \\",
                "      --json",
                "  gatehouse-admin audit tail --org Acme",
                "  gatehouse-admin audit sign-ins --org Acme --since 7d"})
public final class AuditCommand implements Runnable {
    static final String[] COLUMNS = {"time", "client_ip", "decision", "status", "method", "path", "app", "account",
            "policy", "count", "request_id"};
    private static final Pattern AGO = Pattern.compile("(\\d+)\\s*([smhd])");

    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new UsageException("a subcommand is required: search, tail or sign-ins");
    }

    @Command(name = "search", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin audit search --org Acme --decision deny --since 1h", "  gatehouse-admin audit search --org Acme --request-id 7f3c9e2a1b4d5e6f"},
            description = {"Searches the access events, newest first.", "",
                    "The 403 page's request id finds its row (--request-id); --since bounds the time searched"
                    + " (the (org_id, ts) index does the rest)."})
    int search(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org,
               @Option(names = "--app", paramLabel = "NAME", description = "Only this app.") String app,
               @Option(names = "--account", paramLabel = "NAME", description = "Only this account.") String account,
               @Option(names = "--ip", paramLabel = "CIDR", description = "Client addresses in this network (or this address).") String ip,
               @Option(names = "--decision", paramLabel = "allow|deny", description = "Only allowed, or only denied, requests.") String decision,
               @Option(names = "--since", paramLabel = "AGO|TIME", defaultValue = "24h",
                       description = "How far back: 30m, 6h, 7d, or an ISO time (default ${DEFAULT-VALUE}).") String since,
               @Option(names = "--request-id", paramLabel = "ID", description = "The request id a 403 page or X-Request-Id showed.") String requestId,
               @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "At most N rows (default ${DEFAULT-VALUE}).") int limit,
               @Mixin DatabaseOptions db, @Mixin OutputOptions output) {
        if (decision != null && !decision.equals("allow") && !decision.equals("deny")) {
            throw new UsageException("--decision must be allow or deny, got '" + decision + "'");
        }
        checkLimit(limit);
        AuditLog.Query q = new AuditLog.Query(org, app, account, network(ip), decision, since(since), requestId, limit);
        try (Database d = db.open()) {
            Output.rows(spec.commandLine().getOut(), output.json, new AuditLog(d.dataSource()).search(q), COLUMNS);
            return ExitCodes.OK;
        }
    }

    @Command(name = "sign-ins", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin audit sign-ins --org Acme --since 7d"},
            description = {"Lists the single sign-on events, newest first.", "",
                    "Sign-ins, refused sign-ins (with the reason: sso_no_account, sso_bad_id_token, ...) and"
                    + " sign-outs."})
    int signIns(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org,
                @Option(names = "--since", paramLabel = "AGO|TIME", defaultValue = "7d",
                        description = "How far back: 30m, 6h, 7d, or an ISO time (default ${DEFAULT-VALUE}).") String since,
                @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "At most N rows (default ${DEFAULT-VALUE}).") int limit,
                @Mixin DatabaseOptions db, @Mixin OutputOptions output) {
        checkLimit(limit);
        try (Database d = db.open()) {
            Output.rows(spec.commandLine().getOut(), output.json, new AuditLog(d.dataSource()).signIns(org, since(since), limit),
                    "time", "event", "email", "account", "provider", "client_ip", "reason");
            return ExitCodes.OK;
        }
    }

    @Command(name = "tail", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin audit tail --org Acme", "  gatehouse-admin audit tail --org Acme --since 5m --json"},
            description = {"Follows the access events as they are written.", "",
                    "Prints the organisation's events every second, until Ctrl-C (or --for). With --json, one JSON"
                    + " object per line."})
    int tail(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org,
             @Option(names = "--since", paramLabel = "AGO|TIME", defaultValue = "0s",
                     description = "Start this far back (default: from now).") String since,
             @Option(names = "--for", paramLabel = "DURATION", description = "Stop after this long (30s, 10m...).") String forTime,
             @Mixin DatabaseOptions db, @Mixin OutputOptions output) throws InterruptedException {
        Instant from = since(since);
        Instant until = forTime == null ? Instant.MAX : Instant.now().plus(duration(forTime, "--for"));
        PrintWriter out = spec.commandLine().getOut();
        try (Database d = db.open()) {
            AuditLog log = new AuditLog(d.dataSource());
            Instant last = from;
            while (Instant.now().isBefore(until)) {
                List<AuditLog.Event> rows = log.after(org, last, 1000);
                for (AuditLog.Event r : rows) {
                    out.println(output.json ? Json.write(r) : line(r));
                    last = r.time();
                }
                out.flush();
                if (rows.size() < 1000) {
                    Thread.sleep(Math.max(0, Math.min(1000, Duration.between(Instant.now(), until).toMillis())));
                }
            }
            return ExitCodes.OK;
        }
    }

    private static String line(AuditLog.Event e) {
        Map<String, Object> r = Json.fields(e);
        StringBuilder sb = new StringBuilder();
        for (String c : COLUMNS) {
            Object v = r.get(c);
            sb.append(sb.length() == 0 ? "" : "  ").append(v == null ? "-" : v);
        }
        return sb.toString();
    }

    private static void checkLimit(int limit) {
        if (limit < 1 || limit > 100_000) {
            throw new UsageException("--limit must be 1..100000, got " + limit);
        }
    }

    private static Cidr network(String ip) {
        if (ip == null) {
            return null;
        }
        try {
            return Cidr.parse(ip);
        } catch (InvalidAddressException e) {
            throw new UsageException("--ip: " + e.getMessage());
        }
    }

    static Instant since(String s) {
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException notAnInstant) {
            return Instant.now().minus(duration(s, "--since"));
        }
    }

    static Duration duration(String s, String option) {
        Matcher m = AGO.matcher(s.strip());
        if (!m.matches()) {
            throw new UsageException(option + ": '" + s + "' is not a duration (30s, 15m, 6h, 7d) nor an ISO time");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
