package dev.gatehouse.admin;

import dev.gatehouse.core.testing.PackageLevels;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The CLI's packages depend only downward: the root assembles the command tree, the commands use what they share
 * in {@code cli}, and {@code cli} knows neither (it reaches the shared options through picocli: GlobalOptions.of).
 */
class ArchitectureTest {
    /** Top to bottom. "" is the root package. */
    static final List<List<String>> LEVELS = List.of(
            List.of(""),          // AdminMain: the command tree
            List.of("commands"),  // one class per top-level command
            List.of("cli"));      // shared options, output, confirmation, error handling

    private static final PackageLevels ADMIN = new PackageLevels("dev.gatehouse.admin", LEVELS);

    @Test
    void packagesDependOnlyDownward() {
        ADMIN.assertOnlyDownward();
    }

    @Test
    void noPackageCycles() {
        ADMIN.assertNoCycles();
    }

    @Test
    void theReadmeDrawsTheseLevels() throws Exception {
        ADMIN.assertDrawnIn(Path.of("../README.md"), "admin-cli (dev.gatehouse.admin)");
    }
}
