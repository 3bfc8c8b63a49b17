package dev.gatehouse.core;

import dev.gatehouse.core.testing.PackageLevels;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Core's packages depend only downward, in the order the README's map draws: the administration on top of the
 * model, the model on the database and the configuration, everything on the addresses and the one exception.
 */
class ArchitectureTest {
    /** Top to bottom; packages on one level are independent of each other. "" is the root package. */
    static final List<List<String>> LEVELS = List.of(
            List.of("admin"),                            // what gatehouse-admin changes and reads, with admin_actions
            List.of("policy", "route", "sso", "clientip"), // the model: policies, routes, sign-in, the client IP
            List.of("db"),                               // the pool, the migrations, the embedded server
            List.of("config"),                           // loading and checking the HOCON
            List.of("net", "util"),                      // addresses and networks; JSON
            List.of(""));                                // GatehouseException

    private static final PackageLevels CORE = new PackageLevels("dev.gatehouse.core", LEVELS);

    @Test
    void packagesDependOnlyDownward() {
        CORE.assertOnlyDownward();
    }

    @Test
    void noPackageCycles() {
        CORE.assertNoCycles();
    }

    @Test
    void theReadmeDrawsTheseLevels() throws Exception {
        CORE.assertDrawnIn(Path.of("../README.md"), "core (dev.gatehouse.core)");
    }
}
