package dev.gatehouse.admin;

import dev.gatehouse.admin.cli.ExitCodes;
import dev.gatehouse.admin.cli.FailureHandler;
import dev.gatehouse.admin.cli.GlobalOptions;
import dev.gatehouse.admin.commands.AuditCommand;
import dev.gatehouse.admin.commands.AuditModeCommand;
import dev.gatehouse.admin.commands.ClientIpCommand;
import dev.gatehouse.admin.commands.CloudflareRangesCommand;
import dev.gatehouse.admin.commands.MaintenanceCommands;
import dev.gatehouse.admin.commands.ManifestCommands;
import dev.gatehouse.admin.commands.MigrateCommand;
import dev.gatehouse.admin.commands.OrgCommand;
import dev.gatehouse.admin.commands.PolicyCommand;
import dev.gatehouse.admin.commands.PurgeCommand;
import dev.gatehouse.admin.commands.RecoveryCommands;
import dev.gatehouse.admin.commands.RouteCommand;
import dev.gatehouse.admin.commands.SsoCommand;
import dev.gatehouse.admin.commands.TokenCommand;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.slf4j.LoggerFactory;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code gatehouse-admin}: the operator's command line. Parses, calls core, prints; no business logic here. */
@Command(name = "gatehouse-admin", mixinStandardHelpOptions = true,
        versionProvider = AdminMain.Version.class,
        description = {
                "Operates a Gatehouse installation: schema migrations; organisations, apps, accounts, API tokens"
                        + " and network policies; lockout recovery (global-policy reset, SSO); client-IP and route"
                        + " diagnosis; the Cloudflare ranges.",
                "",
                "The database is the one the gateway uses: DATABASE_URL, --database-url, the config file, or else"
                        + " the embedded PostgreSQL (attached to if the gateway runs it, started for the length of the"
                        + " command otherwise)."},
        subcommands = {MigrateCommand.class, OrgCommand.Org.class, OrgCommand.App.class, OrgCommand.Account.class,
                TokenCommand.class, PolicyCommand.class, PurgeCommand.class, MaintenanceCommands.Retention.class, AuditModeCommand.class, AuditCommand.class,
                MaintenanceCommands.DbStats.class, MaintenanceCommands.Vacuum.class, RecoveryCommands.Reset.class, RecoveryCommands.Restore.class,
                RecoveryCommands.DisableSso.class, SsoCommand.class, ManifestCommands.Apply.class, ManifestCommands.Export.class,
                ClientIpCommand.class, RouteCommand.class, CloudflareRangesCommand.class,
                AutoComplete.GenerateCompletion.class, CommandLine.HelpCommand.class},
        footer = {
                "",
                "Examples:",
                "  gatehouse-admin migrate",
                "  gatehouse-admin migrate info --json",
                "  gatehouse-admin apply -f fleet.yaml --dry-run",
                "  DATABASE_URL=postgres://gh:secret@db:5432/gatehouse \\",
                "      gatehouse-admin migrate validate",
                "  gatehouse-admin client-ip explain --peer 10.0.2.2 \\",
                "      -H 'X-Forwarded-For: 198.51.100.7'",
                "  gatehouse-admin route explain --host acme.example.com --path /api",
                "  gatehouse-admin cloudflare-ranges --nginx",
                "  source <(gatehouse-admin generate-completion)   # bash/zsh completion",
                "",
                "Exit codes: 0 success, 1 failure, 2 usage error."})
public final class AdminMain implements Runnable {
    /** --verbose, --actor and the environment: every command reaches them through its spec (GlobalOptions.of). */
    @Mixin(name = GlobalOptions.NAME)
    final GlobalOptions global;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public AdminMain(Map<String, String> env) {
        this.global = new GlobalOptions(env);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    public static void main(String[] args) {
        if (Arrays.asList(args).contains("--verbose")) {
            // the connection pool's warnings (and their stack traces), silenced otherwise (logback.xml)
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("com.zaxxer.hikari"))
                    .setLevel(ch.qos.logback.classic.Level.WARN);
        }
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(out, err, System.getenv(), args));
    }

    /**
     * The commands that change something. Each accepts {@code -y/--yes}, so a script passes it uniformly; the
     * destructive ones (purge, delete, remove, resets) require it off a terminal, the others need no confirmation.
     */
    static final Set<String> CHANGING = Set.of("migrate", "org create", "app create",
            "account create", "token create", "token revoke", "policy create", "policy update", "policy delete",
            "policy assign", "policy unassign", "retention set", "audit-mode set", "vacuum", "purge-logs",
            "reset-global-policies", "restore-global-policies", "disable-org-sso", "sso provider add",
            "sso provider enable", "sso provider disable", "sso provider remove", "sso require", "sso revoke", "cloudflare-ranges",
            "apply");

    /** The command line, with --yes on every changing command that does not ask for confirmation itself. */
    static CommandLine commandLine(Map<String, String> env) {
        CommandLine cmd = new CommandLine(new AdminMain(env));
        addYes(cmd);
        // picocli's own commands, summarised to fit the command list at 80 columns like ours
        cmd.getSubcommands().get("generate-completion").getCommandSpec().usageMessage()
                .description("Prints a bash/zsh completion script.")
                .footer("", "Examples:", "  source <(gatehouse-admin generate-completion)",
                        "  gatehouse-admin generate-completion > /etc/bash_completion.d/gatehouse-admin");
        cmd.getSubcommands().get("help").getCommandSpec().usageMessage()
                .header("Shows the help of a command.")
                .description("Without COMMAND, the help of gatehouse-admin itself.")
                .footer("", "Examples:", "  gatehouse-admin help policy update");
        cmd.setUsageHelpAutoWidth(true); // the terminal's width, not 80 columns (picocli falls back to 80 off a terminal)
        return cmd;
    }

    private static void addYes(CommandLine c) {
        String name = c.getCommandSpec().qualifiedName(" ").replaceFirst("^gatehouse-admin ?", "");
        if (CHANGING.contains(name) && c.getCommandSpec().findOption("--yes") == null) {
            c.getCommandSpec().addOption(CommandLine.Model.OptionSpec.builder("-y", "--yes").arity("0")
                    .description("Accepted for uniformity: this change asks for no confirmation.").build());
        }
        c.getSubcommands().values().forEach(AdminMain::addYes);
    }

    /** Runs one command line; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, Map<String, String> env, String... args) {
        CommandLine cmd = commandLine(env);
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setExecutionExceptionHandler(new FailureHandler());
        cmd.setParameterExceptionHandler(FailureHandler::usage);
        int code = cmd.execute(args);
        out.flush();
        err.flush();
        return code == CommandLine.ExitCode.USAGE ? ExitCodes.USAGE : code;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = AdminMain.class.getPackage().getImplementationVersion();
            return new String[] {"gatehouse-admin " + (v == null ? "development" : v)};
        }
    }
}
