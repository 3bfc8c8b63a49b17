package dev.gatehouse.admin.cli;

import dev.gatehouse.admin.AdminMain;
import picocli.CommandLine;

/** Who is acting, for the admin_actions log: the global --actor, else the operating-system user. */
@CommandLine.Command
public final class ActorOption {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    public String actor() {
        String actor = ((AdminMain) spec.root().userObject()).actor;
        return actor != null && !actor.isBlank() ? actor.trim() : System.getProperty("user.name", "unknown");
    }
}
