package dev.gatehouse.admin.cli;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.admin.Policies;
import java.util.List;
import picocli.CommandLine;

/**
 * Turns every failure into one line on stderr and an exit code: 2 for usage errors (with a pointer
 * to --help), 1 for failures. Stack traces only with --verbose.
 */
public final class FailureHandler implements CommandLine.IExecutionExceptionHandler {
    /** A lockout guard's refusal with {@code --json}: the message, and every address it would lock out. */
    record Refusal(String error, List<Policies.LockedOut> lockedOut) {
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parseResult) {
        if (e instanceof UsageException) {
            return usage(new CommandLine.ParameterException(cmd, e.getMessage()), new String[0]);
        }
        boolean verbose = GlobalOptions.of(cmd.getCommandSpec()).verbose();
        String message = e instanceof GatehouseException ? e.getMessage() : "unexpected failure: " + e;
        if (e instanceof Policies.WouldLockOut refused && cmd.getParseResult() != null
                && cmd.getParseResult().hasMatchedOption("--json")) {
            // the one line names ten addresses at most; a script gets every one
            Output.json(cmd.getOut(), new Refusal(message, refused.lockedOut()));
            cmd.getOut().flush();
        }
        cmd.getErr().println("gatehouse-admin: " + message);
        if (verbose) {
            e.printStackTrace(cmd.getErr());
        }
        return ExitCodes.FAILURE;
    }

    /** Parameter errors: the message and where to find the usage, not the whole usage text. */
    public static int usage(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        cmd.getErr().println("gatehouse-admin: " + e.getMessage()
                + " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')");
        return ExitCodes.USAGE;
    }
}
