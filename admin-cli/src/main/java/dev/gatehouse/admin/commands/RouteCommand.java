package dev.gatehouse.admin.commands;

import com.typesafe.config.Config;
import dev.gatehouse.admin.cli.ExitCodes;
import dev.gatehouse.admin.cli.GlobalOptions;
import dev.gatehouse.admin.cli.Output;
import dev.gatehouse.admin.cli.OutputOptions;
import dev.gatehouse.admin.cli.Table;
import dev.gatehouse.admin.cli.UsageException;
import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.config.ConfigLoader;
import dev.gatehouse.core.route.HostPattern;
import dev.gatehouse.core.route.Route;
import dev.gatehouse.core.route.RouteExplanation;
import dev.gatehouse.core.route.RouteMap;
import dev.gatehouse.core.route.Routes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code route explain}: which configured route a request takes, and why. */
@Command(name = "route", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin route explain --host acme.example.com --path /api"},
        description = "Which route a request takes: explain.",
        subcommands = {RouteCommand.Explain.class})
public final class RouteCommand implements Runnable {
    @Override
    public void run() {
        throw new UsageException("a subcommand is required: explain");
    }

    /** The explanation and, when a route wins, what the route does. */
    record Explained(String host, String path, Integer winner, List<String> upstreams, String binding,
                     List<RouteExplanation.Candidate> routes) {
    }

    @Command(name = "explain", mixinStandardHelpOptions = true,
            description = {
                    "Shows which route a request takes, and why.", "",
                    "Matches one request offline against the configured routes, with the gateway's own rules: the"
                            + " request's host first (exact, then wildcard, then routes for any host), then the"
                            + " longest path prefix. Prints every route's verdict and the winner. Reads no database."
                            + " Exit 0 a route matches, 1 none does (the gateway answers 404), 2 usage."},
            footer = {"", "Examples:",
                    "  gatehouse-admin route explain --host acme.example.com --path /api/v1",
                    "  gatehouse-admin route explain -c gatehouse.conf --host '[2001:db8::5]:443' \\",
                    "      --path / --json"})
    static final class Explain implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Gatehouse config file (default: $GATEHOUSE_CONFIG).")
        Path config;

        @Option(names = "--host", paramLabel = "HOST",
                description = "The request's Host header, port allowed (default: none, as an HTTP/1.0 request).")
        String host;

        @Option(names = "--path", required = true, paramLabel = "PATH",
                description = "The request target: a path starting with '/', with an optional query.")
        String path;

        @Mixin
        OutputOptions output;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            List<Route> routes;
            try {
                Config c = ConfigLoader.load(config, GlobalOptions.of(spec).env()).getConfig("gatehouse");
                routes = Routes.from(c, c.getBytes("server.max-body-size"));
            } catch (ConfigError e) {
                throw new UsageException(e.getMessage());
            }
            if (!path.startsWith("/")) {
                throw new UsageException("--path: expected a path starting with '/', got '" + path + "'");
            }
            if (host != null && !HostPattern.validHostHeader(host)) { // what the gateway would refuse with 400
                throw new UsageException("--host: '" + host + "' is not a host[:port], as a Host header must be");
            }
            PrintWriter out = spec.commandLine().getOut();
            if (routes.isEmpty()) {
                Explained e = new Explained(HostPattern.requestHost(host), RouteMap.path(path), null, List.of("demo"),
                        "not checked", List.of());
                if (output.json) {
                    Output.json(out, e);
                } else {
                    out.println("No route is configured: the gateway forwards every request to its built-in demo upstream.");
                }
                return ExitCodes.OK;
            }
            RouteExplanation r = RouteExplanation.of(routes, host, path);
            Route won = r.winner() == null ? null : routes.get(r.winner());
            Explained e = new Explained(r.host(), r.path(), r.winner(), won == null ? null : won.upstreams().stream().map(Object::toString).toList(),
                    won == null ? null : won.binding().describe(), r.routes());
            if (output.json) {
                Output.json(out, e);
            } else {
                Table t = new Table("ROUTE", "HOSTS", "PREFIX", "VERDICT");
                r.routes().forEach(c -> t.row("routes[" + c.index() + "]", c.hosts(), c.prefix(), c.verdict()));
                t.print(out);
                out.println();
                String asked = "host " + (r.host().isEmpty() ? "(none)" : r.host()) + ", path " + r.path();
                if (won == null) {
                    out.println(asked + ": no route matches; the gateway answers 404.");
                } else {
                    out.println(asked + ": routes[" + r.winner() + "] -> " + e.upstreams() + " (" + e.binding() + ")");
                }
            }
            return won == null ? ExitCodes.FAILURE : ExitCodes.OK;
        }
    }
}
