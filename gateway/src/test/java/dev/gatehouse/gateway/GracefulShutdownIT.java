package dev.gatehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.ScriptedUpstream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM's path (Gateway.close): in-flight requests finish, idle connections close, nothing new is accepted. */
class GracefulShutdownIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    Path dir;

    @Test
    void inFlightRequestFinishesWhileTheGatewayStops() throws Exception {
        try (ScriptedUpstream slow = new ScriptedUpstream((s, head) -> {
            Thread.sleep(head.contains("/slow") ? 1_000 : 0);
            ScriptedUpstream.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone");
            Thread.sleep(5_000);
        })) {
            Gateway gateway = Gateway.start(GatewayConfigs.load(dir, db.database(),
                    "gatehouse.server.drain-timeout = 5s\n"
                            + "gatehouse.routes = [ { prefix = \"/\", upstream = \"http://127.0.0.1:" + slow.port() + "\" } ]\n"));
            int port = gateway.port();
            try (RawHttp idle = new RawHttp(port); RawHttp busy = new RawHttp(port)) {
                assertThat(idle.send("GET /quick HTTP/1.1\r\nHost: t\r\n\r\n").read().status()).isEqualTo(200);
                busy.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
                Thread.sleep(200);

                CompletableFuture<Void> stopping = CompletableFuture.runAsync(gateway::close);
                Thread.sleep(200);

                assertThat(idle.closedByServer()).as("an idle keep-alive connection closes at once").isTrue();
                assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
                        .as("no new connections").isInstanceOf(ConnectException.class);

                RawHttp.Response r = busy.read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("done");
                assertThat(r.header("Connection")).isEqualTo("close");
                assertThat(busy.closedByServer()).isTrue();
                stopping.get(10, TimeUnit.SECONDS);
            }
        }
    }
}
