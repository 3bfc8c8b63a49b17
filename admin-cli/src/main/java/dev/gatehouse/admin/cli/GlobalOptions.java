package dev.gatehouse.admin.cli;

import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * What every command of {@code gatehouse-admin} shares: the options each inherits from the root ({@code --verbose},
 * {@code --actor}) and the environment the command line runs with. The root command holds the one instance as a
 * {@code @Mixin} named {@value #NAME}; a command, or a mixin through its mixee, reaches it from its own {@code @Spec}
 * ({@link #of}) — so no command knows the root's class.
 */
public final class GlobalOptions {
    /** The name of the root's mixin. */
    public static final String NAME = "global";

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces of failures.")
    boolean verbose;

    @Option(names = "--actor", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "Who is acting, recorded in admin_actions (default: your OS user name).")
    String actor;

    private final Map<String, String> env;

    public GlobalOptions(Map<String, String> env) {
        this.env = env;
    }

    /** The shared options of the tree {@code spec} belongs to. */
    public static GlobalOptions of(CommandSpec spec) {
        CommandSpec mixin = spec.root().mixins().get(NAME);
        if (mixin == null) {
            throw new IllegalStateException("the root command has no @Mixin(name = \"" + NAME + "\") GlobalOptions");
        }
        return (GlobalOptions) mixin.userObject();
    }

    public boolean verbose() {
        return verbose;
    }

    /** {@code --actor}, else the operating-system user. */
    public String actor() {
        return actor != null && !actor.isBlank() ? actor.trim() : System.getProperty("user.name", "unknown");
    }

    /** The environment the command runs with (System.getenv() outside tests). */
    public Map<String, String> env() {
        return env;
    }
}
