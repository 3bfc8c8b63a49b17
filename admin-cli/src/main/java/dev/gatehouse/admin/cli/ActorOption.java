package dev.gatehouse.admin.cli;

import picocli.CommandLine;

/** Who is acting, for the admin_actions log: the global --actor, else the operating-system user. */
@CommandLine.Command
public final class ActorOption {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    public String actor() {
        return GlobalOptions.of(spec).actor();
    }
}
