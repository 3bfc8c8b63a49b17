package dev.gatehouse.gateway.management;

import dev.gatehouse.gateway.metrics.StandardMeters;
import dev.gatehouse.gateway.transport.SmallHttpServer;
import dev.gatehouse.gateway.transport.Transport;

/** The management listener (health, readiness, metrics), on its own thread, apart from the traffic. */
public final class ManagementServer implements AutoCloseable {
    private final SmallHttpServer server;

    private ManagementServer(SmallHttpServer server) {
        this.server = server;
    }

    public static ManagementServer start(Transport transport, String host, int port, Readiness readiness,
                                         StandardMeters metrics) {
        return new ManagementServer(SmallHttpServer.start(transport, "gatehouse.management", host, port, 8192,
                new ManagementHandler(readiness, metrics)));
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
    }
}
