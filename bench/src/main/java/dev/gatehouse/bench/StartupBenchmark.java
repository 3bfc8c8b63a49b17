package dev.gatehouse.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Start-up to ready with an external, migrated database: launches the gateway's jar as an operator
 * would ({@code EXTERNAL_MIGRATION=true}, {@code DATABASE_URL}), and times from the process start to
 * the first 200 from {@code /readyz} (polled every 5 ms), then reads the process's RSS.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.gatehouse.bench.StartupBenchmark [runs]
 * [extra JVM options...]} (default 5 runs); {@code -Dgateway.jar=...} names the jar.
 */
public final class StartupBenchmark {
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<String> jvmOptions = args.length > 1 ? List.of(args).subList(1, args.length) : List.of();
        Path jar = GatewayProcesses.jar();
        Path work = Files.createTempDirectory("gatehouse-startup");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            GatewayProcesses.migrated(url).close();
            List<Long> millis = new ArrayList<>();
            for (int run = 0; run < runs; run++) {
                int port = GatewayProcesses.freePort();
                int mgmt = GatewayProcesses.freePort();
                Path conf = work.resolve("gateway.conf");
                Files.writeString(conf, "gatehouse {\n"
                        + "  listen { host = \"127.0.0.1\", port = " + port + " }\n"
                        + "  management { host = \"127.0.0.1\", port = " + mgmt + " }\n"
                        + "  audit.spool-dir = \"" + work.resolve("spool") + "\"\n"
                        + "  routes = [ { prefix = \"/\", upstream = \"http://127.0.0.1:9\" } ]\n"
                        + "}\n");
                List<String> command = new ArrayList<>(List.of("java"));
                command.addAll(jvmOptions);
                command.addAll(List.of("-jar", jar.toString(), "--config", conf.toString()));
                ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(work.resolve("gateway-" + run + ".log").toFile());
                pb.environment().put("DATABASE_URL", url);
                pb.environment().put("EXTERNAL_MIGRATION", "true");
                long t0 = System.nanoTime();
                Process p = pb.start();
                try {
                    GatewayProcesses.awaitReady(mgmt, p);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    millis.add(ms);
                    System.out.printf("run %d: ready after %d ms, RSS %d MB%n", run + 1, ms, rssKb(p.pid()) / 1024);
                } finally {
                    p.destroy();
                    p.waitFor();
                }
            }
            millis.sort(null);
            System.out.printf("median of %d: %d ms (JVM options: %s)%n", runs, millis.get(runs / 2),
                    jvmOptions.isEmpty() ? "none" : String.join(" ", jvmOptions));
        }
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
