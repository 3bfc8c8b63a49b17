package dev.gatehouse.admin.cli;

import picocli.CommandLine.Option;

/** --json for every command that prints data. */
public final class OutputOptions {
    @Option(names = "--json", description = "Print JSON instead of a table.")
    public boolean json;
}
