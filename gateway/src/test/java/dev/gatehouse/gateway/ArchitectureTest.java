package dev.gatehouse.gateway;

import dev.gatehouse.core.testing.PackageLevels;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The gateway's packages depend only downward, in the order the README's map draws. A package may use those on a
 * lower level, never one on its own level or above: a new cycle, or a shortcut upward, fails here with the classes
 * that made it.
 */
class ArchitectureTest {
    /** Top to bottom; packages on one level are independent of each other. "" is the root package. */
    static final List<List<String>> LEVELS = List.of(
            List.of(""),                       // Gateway and its start-up steps, GatehouseMain, logging
            List.of("server"),                 // the listener and the pipeline, assembled in one initializer
            List.of("management", "demo", "console"), // the side listeners
            List.of("policy", "clientip", "sso"), // who calls, from where, signed in, and may they
            List.of("proxy"),                  // the exchange with the upstream
            List.of("metrics"),                // what a finished request reports
            List.of("audit"),                  // the audit log's writer, spool and upkeep
            List.of("request"),                // a request's state, its strict reading, the gateway's own answers
            List.of("route"),                  // which route, which upstream
            List.of("config"),                 // the settings, one record per section; the files they name, re-read
            List.of("transport", "timers"));   // the I/O transport and a small listener on it; timers and threads

    private static final PackageLevels GATEWAY = new PackageLevels("dev.gatehouse.gateway", LEVELS);

    @Test
    void packagesDependOnlyDownward() {
        GATEWAY.assertOnlyDownward();
    }

    @Test
    void noPackageCycles() {
        GATEWAY.assertNoCycles();
    }

    @Test
    void theReadmeDrawsTheseLevels() throws Exception {
        GATEWAY.assertDrawnIn(Path.of("../README.md"), "gateway (dev.gatehouse.gateway)");
    }
}
