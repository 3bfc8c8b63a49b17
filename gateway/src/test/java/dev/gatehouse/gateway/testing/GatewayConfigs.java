package dev.gatehouse.gateway.testing;

import com.typesafe.config.Config;
import dev.gatehouse.core.config.ConfigLoader;
import dev.gatehouse.core.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes a real config file for a gateway under test: loopback, port 0, the test database. */
public final class GatewayConfigs {
    private GatewayConfigs() {
    }

    public static Path write(Path dir, TestDatabase db, String extra) throws IOException {
        Path f = dir.resolve("gatehouse-" + System.nanoTime() + ".conf");
        Files.writeString(f, "gatehouse {\n"
                + "  listen { host = \"127.0.0.1\", port = 0 }\n"
                + "  server.event-loop-threads = 2\n"
                + "  management { host = \"127.0.0.1\", port = 0 }\n"
                + "  audit { spool-dir = \"" + dir.resolve("spool-" + System.nanoTime()) + "\", flush-interval = 50ms }\n"
                + "  database { url = \"" + db.jdbcUrl() + "\", user = \"" + db.user() + "\", password = \""
                + db.password() + "\" }\n"
                + "}\n" + extra + "\n");
        return f;
    }

    public static Config load(Path dir, TestDatabase db, String extra) throws IOException {
        return ConfigLoader.load(write(dir, db, extra), Map.of());
    }
}
