package dev.gatehouse.gateway.demo;

import dev.gatehouse.gateway.transport.SmallHttpServer;
import dev.gatehouse.gateway.transport.Transport;

/**
 * The built-in upstream started when no route is configured: on 127.0.0.1, it answers every request
 * with the request it received as JSON, so a fresh install shows what Gatehouse forwards.
 */
public final class DemoUpstream implements AutoCloseable {
    private final SmallHttpServer server;

    private DemoUpstream(SmallHttpServer server) {
        this.server = server;
    }

    public static DemoUpstream start(Transport transport, int port) {
        return new DemoUpstream(SmallHttpServer.start(transport, "demo upstream", "127.0.0.1", port, 1 << 20, new EchoHandler()));
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
    }
}
