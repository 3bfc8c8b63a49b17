package dev.gatehouse.bench;

import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.db.DatabaseSettings;
import dev.gatehouse.core.db.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
        Path jar = Path.of(System.getProperty("gateway.jar", "gateway/target/gatehouse-gateway.jar"));
        if (!Files.isRegularFile(jar)) {
            System.err.println("no gateway jar at " + jar + " (mvn -DskipTests package, or -Dgateway.jar=...)");
            System.exit(2);
        }
        Path work = Files.createTempDirectory("gatehouse-startup");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            DatabaseSettings s = new DatabaseSettings(url, "postgres", "", false, 2, Duration.ofSeconds(5),
                    Path.of("/nonexistent"), 0, Duration.ofSeconds(30));
            try (Database db = Database.open(s, "bench")) {
                new Migrations(db.dataSource()).migrate();
            }
            List<Long> millis = new ArrayList<>();
            for (int run = 0; run < runs; run++) {
                int port = freePort();
                int mgmt = freePort();
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
                    awaitReady(mgmt, p);
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

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Polls /readyz over a raw socket (no HTTP client to warm up in this process). */
    private static void awaitReady(int port, Process p) throws Exception {
        byte[] request = "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("gateway exited with " + p.exitValue());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 100);
                s.getOutputStream().write(request);
                byte[] head = s.getInputStream().readNBytes(12);
                if (new String(head, StandardCharsets.US_ASCII).endsWith("200")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("gateway not ready within 60 s");
    }
}
