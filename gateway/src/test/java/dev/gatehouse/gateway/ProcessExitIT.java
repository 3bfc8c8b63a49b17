package dev.gatehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.TestUpstream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway as systemd or Kubernetes sees it: a separate process, stopped with SIGTERM. A drain that let every
 * request finish exits 0 (not the JVM's 143); one that had to cut a request still busy exits 3. Both say so in the log.
 */
class ProcessExitIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    Path dir;

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    Process start(int port, String upstream, String extra) throws Exception {
        Path config = GatewayConfigs.write(dir, db.database(), "gatehouse.listen.port = " + port + "\n"
                + "gatehouse.routes = [ { prefix = \"/\", upstream = \"" + upstream + "\" } ]\n" + extra);
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), GatehouseMain.class.getName(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            assertThat(child.isAlive()).as("the gateway process runs").isTrue();
            try (Socket s = new Socket("127.0.0.1", port)) {
                return child;
            } catch (java.io.IOException notYet) {
                assertThat(System.nanoTime()).as("listening on " + port).isLessThan(deadline);
                Thread.sleep(100);
            }
        }
    }

    String log() throws Exception {
        return Files.readString(dir.resolve("child.log"));
    }

    @Test
    void sigtermAfterACleanDrainExitsZero() throws Exception {
        int port = freePort();
        try (TestUpstream upstream = new TestUpstream()) {
            Process child = start(port, "http://127.0.0.1:" + upstream.port(), "");
            try (Socket idle = new Socket("127.0.0.1", port)) { // a kept-alive connection with nothing in flight
                OutputStream out = idle.getOutputStream();
                out.write("GET / HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(new String(idle.getInputStream().readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
                child.destroy(); // SIGTERM
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(child.exitValue()).as(log()).isZero();
            assertThat(log()).contains("Draining 1 client connection").contains("Gatehouse stopped in").doesNotContain("cut");
        }
    }

    @Test
    void sigtermThatHadToCutABusyRequestExitsThree() throws Exception {
        int port = freePort();
        try (ServerSocket silent = new ServerSocket(0)) { // an upstream that accepts and never answers
            Process child = start(port, "http://127.0.0.1:" + silent.getLocalPort(),
                    "gatehouse.server.drain-timeout = 500ms\ngatehouse.upstream.response-timeout = 60s\n");
            try (Socket busy = new Socket("127.0.0.1", port)) {
                busy.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                busy.getOutputStream().flush();
                try (Socket accepted = silent.accept()) { // the request reached the upstream: it is in flight
                    child.destroy();
                    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                }
            }
            assertThat(child.exitValue()).as(log()).isEqualTo(3);
            assertThat(log()).contains("Drain timeout: cut 1 connection still busy")
                    .contains("(1 connection cut at the drain timeout)");
        }
    }
}
