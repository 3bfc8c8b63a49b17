package dev.gatehouse.admin.cli;

import picocli.CommandLine.Option;

/** Who is acting, for the admin_actions log: --actor, else the operating-system user. */
public final class ActorOption {
    @Option(names = "--actor", paramLabel = "NAME", description = "Recorded in admin_actions (default: your OS user name).")
    String actor;

    public String actor() {
        return actor != null && !actor.isBlank() ? actor.trim() : System.getProperty("user.name", "unknown");
    }
}
