package dev.gatehouse.bench;

import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.db.DatabaseSettings;
import dev.gatehouse.core.db.Migrations;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** What the drivers that launch gateway processes share: the jar, a migrated database, ports, readiness. */
final class GatewayProcesses {
    private GatewayProcesses() {
    }

    /** The gateway's jar ({@code -Dgateway.jar=...}); exits with usage status 2 when it is not built. */
    static Path jar() {
        Path jar = Path.of(System.getProperty("gateway.jar", "gateway/target/gatehouse-gateway.jar"));
        if (!Files.isRegularFile(jar)) {
            System.err.println("no gateway jar at " + jar + " (mvn -DskipTests package, or -Dgateway.jar=...)");
            System.exit(2);
        }
        return jar;
    }

    /** A pool on {@code url} (user postgres, no password), its schema migrated. */
    static Database migrated(String url) {
        DatabaseSettings s = new DatabaseSettings(url, "postgres", "", false, 2, Duration.ofSeconds(5),
                Path.of("/nonexistent"), 0, Duration.ofSeconds(30));
        Database db = Database.open(s, "bench");
        new Migrations(db.dataSource()).migrate();
        return db;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Polls the management port's /readyz every 5 ms over a raw socket until it answers 200. */
    static void awaitReady(int managementPort, Process p) throws Exception {
        byte[] request = "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("gateway exited with " + p.exitValue() + " (see its log)");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", managementPort), 100);
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
