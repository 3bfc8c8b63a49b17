package dev.gatehouse.gateway;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.config.ConfigLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gatehouse}: starts the gateway and runs until SIGTERM/SIGINT. */
@Command(name = "gatehouse", mixinStandardHelpOptions = true, versionProvider = GatehouseMain.Version.class,
        description = {
                "Runs the Gatehouse gateway: a reverse proxy that works out the real client IP,",
                "enforces per-organisation network policies and writes an access audit log.",
                "",
                "With no database configured it runs an embedded PostgreSQL 17 under",
                "$XDG_DATA_HOME/gatehouse/postgres (else $HOME/.local/share/gatehouse/postgres);",
                "with no route configured it forwards / to a built-in demo upstream that echoes",
                "the request it received. With no config file at all, the read-only operator",
                "console is on, at http://127.0.0.1:9091."},
        footer = {
                "",
                "Environment:",
                "  GATEHOUSE_CONFIG    config file, when --config is not given",
                "  DATABASE_URL        postgres://user:pass@host:port/db or jdbc:postgresql://...",
                "  EXTERNAL_MIGRATION  true: never migrate, refuse to start unless the schema is current",
                "  GATEHOUSE_SSO_KEY_ENCRYPTION_KEY",
                "                      the SSO keys' encryption key (base64), instead of",
                "                      gatehouse.sso.key-encryption-key-file",
                "",
                "Examples:",
                "  gatehouse",
                "  curl -s localhost:8080/",
                "  DATABASE_URL=postgres://gh:secret@db:5432/gatehouse gatehouse --config /etc/gatehouse.conf",
                "",
                "Exit codes: 0 stopped cleanly (SIGTERM or Ctrl-C: every request finished), 1 failed to start,",
                "2 usage error, 3 stopped, but the drain timeout cut connections still busy."})
public final class GatehouseMain implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "HOCON config file (keys: see reference.conf).")
    Path config;

    @Option(names = "--verbose", description = "Print stack traces of failures.")
    boolean verbose;

    private final Map<String, String> env;

    GatehouseMain(Map<String, String> env) {
        this.env = env;
    }

    public static void main(String[] args) {
        // Netty's buffer events for Java Flight Recorder: their registration loads ~200 JFR classes at start
        // (~12 MB of RSS, tens of milliseconds). Off unless asked for: -Dio.netty.jfr.enabled=true.
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            System.setProperty("io.netty.jfr.enabled", "false");
        }
        System.exit(run(new PrintWriter(System.err, true), System.getenv(), args));
    }

    /** Starts the gateway and blocks until shutdown; returns the exit code. */
    static int run(PrintWriter err, Map<String, String> env, String... args) {
        CommandLine cmd = new CommandLine(new GatehouseMain(env));
        cmd.setErr(err);
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean v = ((GatehouseMain) commandLine.getCommand()).verbose;
            if (e instanceof GatehouseException) {
                commandLine.getErr().println("gatehouse: " + e.getMessage());
                if (v) {
                    e.printStackTrace(commandLine.getErr());
                }
                return 1;
            }
            commandLine.getErr().println("gatehouse: unexpected failure: " + e);
            if (v) {
                e.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        return cmd.execute(args);
    }

    @Override
    public Integer call() throws Exception {
        Config cfg = ConfigLoader.load(config, env);
        if (zeroConfig()) { // `bin/gatehouse` as it comes: the console too, on loopback, as reference.conf binds it
            cfg = ConfigFactory.parseMap(Map.of("gatehouse.console.enabled", true), "the zero-config start (no config"
                    + " file)").withFallback(cfg);
        }
        Gateway gateway = Gateway.start(cfg);
        AtomicInteger exit = new AtomicInteger(-1);
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable stop = () -> {
            if (exit.compareAndSet(-1, 0)) {
                exit.set(gateway.stop() == 0 ? 0 : 3);
                stopped.countDown();
            }
        };
        // SIGTERM and Ctrl-C stop the gateway here, then the process exits with what the drain achieved (the JVM's own
        // handling would exit 143/130, which systemd and Kubernetes read as a failure)
        for (String signal : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> new Thread(stop, "gatehouse-stop").start());
            } catch (IllegalArgumentException unavailable) {
                // this platform does not let us handle it: the shutdown hook below still drains
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "gatehouse-shutdown")); // System.exit from elsewhere
        stopped.await();
        return exit.get();
    }

    /** No config file: neither --config nor GATEHOUSE_CONFIG. */
    boolean zeroConfig() {
        String named = env.get(ConfigLoader.CONFIG_ENV);
        return config == null && (named == null || named.isBlank());
    }

    /** The version from the jar manifest (or "development" when run from classes). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = GatehouseMain.class.getPackage().getImplementationVersion();
            return new String[] {"gatehouse " + (v == null ? "development" : v)};
        }
    }
}
