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
}
