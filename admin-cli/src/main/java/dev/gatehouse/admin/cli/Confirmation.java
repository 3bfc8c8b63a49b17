package dev.gatehouse.admin.cli;

import java.io.Console;
import picocli.CommandLine.Option;

/**
 * For destructive commands: --yes, or a typed "yes" on a terminal. Not on a terminal and no --yes:
 * a usage error (exit 2), so a script can never destroy by accident.
 */
public final class Confirmation {
    @Option(names = {"-y", "--yes"}, description = "Do it without asking (required when not on a terminal).")
    boolean yes;

    /** Returns normally when confirmed; throws UsageException or a failure when not. */
    public void require(String what) {
        if (yes) {
            return;
        }
        Console console = System.console();
        if (console == null) {
            throw new UsageException(what + "; add --yes to confirm when not running on a terminal");
        }
        String answer = console.readLine("%s. Type 'yes' to continue: ", what);
        if (answer == null || !answer.trim().equalsIgnoreCase("yes")) {
            throw new dev.gatehouse.core.GatehouseException("not confirmed: nothing changed");
        }
    }
}
