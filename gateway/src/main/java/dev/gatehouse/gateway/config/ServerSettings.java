package dev.gatehouse.gateway.config;

import com.typesafe.config.Config;
import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.gateway.transport.Transport;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code gatehouse.server}: the event loops and the limits on what a client may send.
 *
 * @param transport        auto, io_uring, epoll or nio (lower case)
 * @param eventLoopThreads 0: Netty's default (twice the cores)
 * @param maxBodySize      the default for routes that set none
 */
public record ServerSettings(String transport, int eventLoopThreads, int maxHeaderSize, int maxInitialLineLength, Duration clientIdleTimeout,
                             Duration requestHeaderTimeout, long maxBodySize, Duration drainTimeout) {

    static ServerSettings from(Config g) {
        String transport = g.getString("server.transport").trim().toLowerCase(Locale.ROOT);
        if (!Transport.SETTINGS.contains(transport)) {
            throw ConfigError.at("gatehouse.server.transport", g.getValue("server.transport").origin(),
                    "expected auto, io_uring, epoll or nio, got '" + g.getString("server.transport") + "'");
        }
        return new ServerSettings(transport,
                ConfigValues.atLeast(g, "server.event-loop-threads", 0),
                ConfigValues.atLeast(g, "server.max-header-size", 1024),
                ConfigValues.atLeast(g, "server.max-initial-line-length", 256),
                ConfigValues.positive(g, "server.client-idle-timeout"),
                ConfigValues.positive(g, "server.request-header-timeout"),
                ConfigValues.bytes(g, "server.max-body-size"),
                g.getDuration("server.drain-timeout"));
    }
}
