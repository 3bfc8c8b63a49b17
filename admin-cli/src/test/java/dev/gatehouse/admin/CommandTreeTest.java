package dev.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command tree as a script or a newcomer meets it: --yes on every change, explained options, examples. */
class CommandTreeTest {
    /** Every command of the tree, the root first. */
    static List<CommandLine> allCommands() {
        List<CommandLine> all = new ArrayList<>();
        walk(AdminMain.commandLine(Map.of()), all);
        return all;
    }

    static void walk(CommandLine c, List<CommandLine> out) {
        out.add(c);
        c.getSubcommands().values().forEach(s -> walk(s, out));
    }

    @Test
    void everyChangingCommandTakesYes() {
        List<CommandLine> all = allCommands();
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
        List<CommandLine> all = allCommands();
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
        List<CommandLine> all = allCommands();
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

    /** A footer's examples, backslash-continued lines joined: each as typed after the shell prompt. */
    static List<String> examples(CommandLine c) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        StringBuilder pending = new StringBuilder();
        for (String line : c.getCommandSpec().usageMessage().footer()) {
            if (line.endsWith(":")) {
                in = line.startsWith("Example");
                continue;
            }
            if (!in || line.isBlank() || !line.startsWith("  ")) { // an example is indented; "Exit codes: ..." is not
                continue;
            }
            String t = line.strip();
            if (t.endsWith("\\")) {
                pending.append(t, 0, t.length() - 1);
                continue;
            }
            out.add(pending.append(t).toString().replaceAll("\\s+", " "));
            pending.setLength(0);
        }
        return out;
    }

    /** Splits like a shell: spaces outside quotes; quotes removed. */
    static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        char quote = 0;
        boolean any = false;
        for (char ch : line.toCharArray()) {
            if (quote != 0) {
                if (ch == quote) {
                    quote = 0;
                } else {
                    w.append(ch);
                }
            } else if (ch == '\'' || ch == '"') {
                quote = ch;
                any = true;
            } else if (ch == ' ') {
                if (any || w.length() > 0) {
                    out.add(w.toString());
                }
                w.setLength(0);
                any = false;
            } else {
                w.append(ch);
            }
        }
        if (any || w.length() > 0) {
            out.add(w.toString());
        }
        return out;
    }

    @Test
    void everyCommandHasExamplesThatParseAsTyped() {
        List<CommandLine> all = allCommands();
        TreeSet<String> problems = new TreeSet<>();
        for (CommandLine c : all) {
            String name = c.getCommandSpec().qualifiedName(" ");
            List<String> examples = examples(c);
            if (examples.isEmpty()) {
                problems.add(name + ": no example");
            }
            for (String example : examples) {
                // what the shell keeps of the line for the command: no comment, redirection, $( ), VAR= prefix
                String line = example.replaceAll("\\s+#.*$", "").replaceAll("\\s+>.*$", "")
                        .replaceAll("^[A-Z_]+=\\$\\(", "").replaceAll("\\)$", "").replaceAll("^source <\\(", "")
                        .replaceAll("^([A-Z_]+=\\S+\\s+)+", "");
                List<String> words = words(line);
                if (words.isEmpty() || !words.get(0).equals("gatehouse-admin")) {
                    problems.add(name + ": an example that is not a gatehouse-admin command: '" + example + "'");
                    continue;
                }
                try {
                    AdminMain.commandLine(Map.of()).parseArgs(words.subList(1, words.size()).toArray(String[]::new));
                } catch (CommandLine.ParameterException e) {
                    problems.add(name + ": '" + example + "' does not parse: " + e.getMessage());
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void everyOptionAndParameterIsNamedAndExplained() {
        List<CommandLine> all = allCommands();
        TreeSet<String> problems = new TreeSet<>();
        for (CommandLine c : all) {
            String name = c.getCommandSpec().qualifiedName(" ");
            if (name.endsWith(" help") || name.endsWith(" generate-completion")) {
                continue; // picocli's own
            }
            for (CommandLine.Model.ArgSpec a : c.getCommandSpec().args()) {
                String label = a instanceof CommandLine.Model.OptionSpec o ? o.longestName() : a.paramLabel();
                if (a.description().length == 0 || String.join("", a.description()).isBlank()) {
                    problems.add(name + " " + label + ": no description");
                }
                if (a.arity().max > 0 && a.paramLabel().matches("<arg\\d+>")) {
                    problems.add(name + " " + label + ": its value is shown as " + a.paramLabel());
                }
            }
        }
        assertThat(problems).isEmpty();
    }
}
