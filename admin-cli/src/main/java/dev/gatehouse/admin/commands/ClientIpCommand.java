package dev.gatehouse.admin.commands;

import dev.gatehouse.admin.cli.ExitCodes;
import dev.gatehouse.admin.cli.GlobalOptions;
import dev.gatehouse.admin.cli.OutputOptions;
import dev.gatehouse.admin.cli.Table;
import dev.gatehouse.admin.cli.UsageException;
import dev.gatehouse.core.clientip.ClientIpResolver;
import dev.gatehouse.core.clientip.ClientIpResult;
import dev.gatehouse.core.clientip.ClientIpSettings;
import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.config.ConfigLoader;
import dev.gatehouse.core.net.InvalidAddressException;
import dev.gatehouse.core.net.IpAddress;
import dev.gatehouse.core.util.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code client-ip explain}: what the gateway would decide for a peer and a set of headers. */
@Command(name = "client-ip", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin client-ip explain --peer 10.0.2.2 \\", "      -H 'X-Forwarded-For: 198.51.100.7, 10.0.1.1'"},
        description = "How Gatehouse works out the client IP: explain.",
        subcommands = {ClientIpCommand.Explain.class})
public final class ClientIpCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new UsageException("a subcommand is required: explain");
    }

    @Command(name = "explain", mixinStandardHelpOptions = true,
            description = {
                    "Shows whose address a request would carry, and why.", "",
                    "Resolves one request offline with the gateway's own rules and configuration: prints each hop,"
                            + " whether it was trusted and why, and the client (or why the request would be refused"
                            + " with 400). Reads no database. Exit 0 resolved, 1 refused, 2 usage."},
            footer = {"", "Example (Cloudflare -> ALB -> nginx -> Gatehouse):",
                    "  gatehouse-admin client-ip explain --config gatehouse.conf --peer 10.0.2.2 \\",
                    "      -H 'CF-Connecting-IP: 198.51.100.77' \\",
                    "      -H 'X-Forwarded-For: 198.51.100.77, 173.245.48.10, 10.0.1.1'"})
    static final class Explain implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Gatehouse config file (default: $GATEHOUSE_CONFIG).")
        Path config;

        @Option(names = "--peer", required = true, paramLabel = "IP",
                description = "The address that connected to Gatehouse (socket peer or PROXY source).")
        String peer;

        @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'", description = "A request header; repeat for more.")
        List<String> headerLines = new ArrayList<>();

        @Mixin
        OutputOptions output;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ClientIpSettings settings;
            try {
                settings = ClientIpSettings.from(ConfigLoader.load(config, GlobalOptions.of(spec).env()));
            } catch (ConfigError e) {
                throw new UsageException(e.getMessage());
            }
            IpAddress peerAddress;
            try {
                peerAddress = IpAddress.parse(peer.trim());
            } catch (InvalidAddressException e) {
                throw new UsageException("--peer: " + e.getMessage());
            }
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (String line : headerLines) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new UsageException("-H '" + line + "': expected 'Name: value'");
                }
                headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(line.substring(colon + 1).trim());
            }
            ClientIpResult r = new ClientIpResolver(settings).explain(peerAddress,
                    name -> headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of()));
            PrintWriter out = spec.commandLine().getOut();
            if (output.json) {
                out.println(Json.write(r)); // ClientIpResult and its hops, as records
            } else {
                Table t = new Table("HOP", "VALUE", "VERDICT");
                r.hops().forEach(h -> t.row(h.where(), h.text(), h.verdict()));
                t.print(out);
                out.println();
                if (r.rejected()) {
                    out.println("refused (400): " + r.rejection());
                } else {
                    out.println("client: " + r.client() + " (from " + r.source() + ")");
                }
            }
            return r.rejected() ? ExitCodes.FAILURE : ExitCodes.OK;
        }
    }
}
