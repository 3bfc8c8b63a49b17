package dev.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import picocli.CommandLine;
import org.junit.jupiter.api.Test;

/** The command tree as a script or a newcomer meets it: --yes on every change, explained options, examples. */
class CommandTreeTest {
    static void walk(CommandLine c, List<CommandLine> out) {
        out.add(c);
        c.getSubcommands().values().forEach(s -> walk(s, out));
    }

    @Test
    void everyChangingCommandTakesYes() {
        List<CommandLine> all = new ArrayList<>();
        walk(AdminMain.commandLine(Map.of()), all);
        TreeSet<String> names = new TreeSet<>();
        TreeSet<String> missing = new TreeSet<>();
        for (CommandLine c : all) {
            String name = c.getCommandSpec().qualifiedName(" ").replaceFirst("^gatehouse-admin ?", "");
            names.add(name);
            if (AdminMain.CHANGING.contains(name) && c.getCommandSpec().findOption("--yes") == null) {
                missing.add(name);
            }
        }
        assertThat(names).as("the list names real commands").containsAll(AdminMain.CHANGING);
        assertThat(missing).as("changing commands without --yes").isEmpty();
    }

    /** The commands whose output is for a shell or a reader, not a script; every other one takes --json. */
    static final java.util.Set<String> WITHOUT_JSON = java.util.Set.of("generate-completion", "help");

    @Test
    void everyLeafCommandTakesJsonButTheListedFew() {
        List<CommandLine> all = new ArrayList<>();
        walk(AdminMain.commandLine(Map.of()), all);
        TreeSet<String> missing = new TreeSet<>();
        for (CommandLine c : all) {
            String name = c.getCommandSpec().qualifiedName(" ").replaceFirst("^gatehouse-admin ?", "");
            if (c.getSubcommands().isEmpty() && c.getCommandSpec().findOption("--json") == null
                    && !WITHOUT_JSON.contains(name)) {
                missing.add(name);
            }
        }
        assertThat(missing).as("commands without --json").isEmpty();
    }

    @Test
    void everyOptionOfPolicyUpdateIsExplainedAndItHasExamples() {
        CliRun help = CliRun.of("policy", "update", "--help");
        assertThat(help.code()).isZero();
        for (String option : List.of("--org", "--add-allow", "--add-deny", "--remove", "--global", "--force")) {
            // the option's own line in the list of options: the option, then its description on the same line
            assertThat(help.out()).as("a description for " + option)
                    .containsPattern("(?m)^\\s+(-\\w, )?" + option + "(=\\S+)?\\s+\\S");
        }
        assertThat(help.out()).contains("Examples:").contains("gatehouse-admin policy update --org Acme office --add-allow");
    }

    @Test
    void aChangeThatAsksNothingStillAcceptsYes() {
        CliRun usage = CliRun.of("org", "create", "--yes", "--help");
        assertThat(usage.code()).as(usage.err()).isZero();
        assertThat(usage.out()).contains("-y, --yes");
    }

    /** Each command's help at 80 columns, as a newcomer's terminal shows it. */
    static String helpAt80(CommandLine c) {
        java.io.StringWriter out = new java.io.StringWriter();
        c.setUsageHelpWidth(80);
        c.usage(new java.io.PrintWriter(out, true), CommandLine.Help.Ansi.OFF);
        return out.toString();
    }

    @Test
    void atEightyColumnsEverySummaryFitsOneLineAndNoExampleBreaks() {
        List<CommandLine> all = new ArrayList<>();
        walk(AdminMain.commandLine(Map.of()), all);
        TreeSet<String> problems = new TreeSet<>();
        for (CommandLine c : all) {
            String name = c.getCommandSpec().qualifiedName(" ");
            String help = helpAt80(c);
            boolean commands = false;
            for (String line : help.split("\n")) {
                if (line.equals("Commands:")) {
                    commands = true;
                } else if (commands && line.isBlank()) {
                    commands = false;
                } else if (commands && line.startsWith("    ")) {
                    problems.add(name + ": a command's summary wraps: '" + line.strip() + "'");
                }
            }
            for (String line : c.getCommandSpec().usageMessage().footer()) {
                if (line.length() > 80) { // picocli would wrap it mid-token: an example, a table row
                    problems.add(name + ": a footer line over 80 columns breaks mid-token: '" + line.strip() + "'");
                }
            }
            for (String line : c.getCommandSpec().usageMessage().description()) {
                String t = line.strip();
                if (!t.isEmpty() && !t.matches(".*[.:)!?]$")) {
                    problems.add(name + ": a description line ends mid-sentence (picocli wraps each line on its own): '"
                            + t + "'");
                }
            }
        }
        assertThat(problems).isEmpty();
    }
}
