package dev.gatehouse.admin.cli;

import java.io.PrintWriter;
import java.util.UUID;
import picocli.CommandLine.Option;

/**
 * How a create command says what it made: a sentence naming it (the default), {@code --json} with its id for scripts,
 * or {@code --quiet} for the id alone ({@code id=$(gatehouse-admin org create Acme -q)}).
 */
public final class CreatedOutput {
    @Option(names = "--json", description = "Print JSON (with the id) instead of a sentence.")
    boolean json;
    @Option(names = {"-q", "--quiet"}, description = "Print only the id.")
    boolean quiet;

    /** What was created, as --json prints it. */
    public record Created(String kind, String name, String org, UUID id) {
    }

    public void print(PrintWriter out, Created c) {
        if (json && quiet) {
            throw new UsageException("--json and --quiet do not go together");
        }
        if (quiet) {
            out.println(c.id());
        } else if (json) {
            Output.json(out, c);
        } else {
            out.println("Created " + c.kind() + " " + c.name() + (c.org() == null ? "" : " in " + c.org()) + " (id "
                    + c.id() + ").");
        }
    }
}
