package dev.gatehouse.admin.commands;

import dev.gatehouse.admin.cli.ActorOption;
import dev.gatehouse.admin.cli.CidrArguments;
import dev.gatehouse.admin.cli.Confirmation;
import dev.gatehouse.admin.cli.CreatedOutput;
import dev.gatehouse.admin.cli.DatabaseOptions;
import dev.gatehouse.admin.cli.ExitCodes;
import dev.gatehouse.admin.cli.Output;
import dev.gatehouse.admin.cli.OutputOptions;
import dev.gatehouse.admin.cli.UsageException;
import dev.gatehouse.core.admin.Policies;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.net.Cidr;
import dev.gatehouse.core.net.InvalidAddressException;
import dev.gatehouse.core.net.IpAddress;
import dev.gatehouse.core.util.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code policy ...}: network access policies and their assignments. */
@Command(name = "policy", mixinStandardHelpOptions = true,
        description = {"Network access policies: create, update, check...", "",
                "create, list, show, update, delete, assign, unassign, check. Networks are CIDRs or single"
                        + " addresses, IPv4 or IPv6; a network with host bits set is refused with the network it"
                        + " probably meant. A change that would deny an address from which an admin of the"
                        + " organisation made an allowed request in the last 24 hours is refused unless --force."},
        footer = {"", "Examples:",
                "  gatehouse-admin policy create --org Acme office --global \\",
                "      --allow 203.0.113.0/24 --allow 2001:db8:1::/48",
                "  gatehouse-admin policy update --org Acme office --add-deny 203.0.113.66",
                "  gatehouse-admin policy assign --org Acme ci runners",
                "  gatehouse-admin policy check --org Acme --account ci --ip 198.51.100.7"})
public final class PolicyCommand implements Runnable {
    @Spec CommandSpec spec;

    /** What delete, assign and unassign did, with --json. */
    record Changed(String org, String policy, String account, String done) {
    }

    @Override
    public void run() {
        throw new UsageException("a subcommand is required (see --help)");
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin policy create --org Acme office --global \\", "      --allow 203.0.113.0/24", "  gatehouse-admin policy create --org Acme runners \\", "      --allow 198.51.100.0/24,2001:db8::/32", "  gatehouse-admin policy create --org Acme blocklist --global --deny 192.0.2.66"}, description = "Creates a policy with its entries (--quiet: prints only its id).")
    int create(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org,
               @Parameters(paramLabel = "NAME", description = "The policy's name (unique in its organisation).") String name,
               @Option(names = "--global", description = "Applies to every request of the organisation.") boolean global,
               @Option(names = "--allow", paramLabel = "CIDR", description = "Allow entry (repeat, or comma-separate).") List<String> allow,
               @Option(names = "--deny", paramLabel = "CIDR", description = "Deny entry (repeat, or comma-separate).") List<String> deny,
               @Option(names = "--description", paramLabel = "TEXT", description = "What the policy is for.") String description,
               @Option(names = "--force", description = "Skip the lockout guard.") boolean force,
               @Mixin DatabaseOptions db, @Mixin ActorOption actor, @Mixin CreatedOutput output) {
        if (name.isBlank()) {
            throw new UsageException("NAME must not be empty");
        }
        List<Cidr> a = CidrArguments.parse("--allow", allow);
        List<Cidr> d = CidrArguments.parse("--deny", deny);
        CidrArguments.warnings(a, d).forEach(w -> spec.commandLine().getErr().println("gatehouse-admin: warning: " + w));
        try (Database database = db.open()) {
            output.print(spec.commandLine().getOut(), new CreatedOutput.Created("policy", name.trim(), org,
                    new Policies(database.dataSource(), actor.actor()).create(org, name.trim(), global, a, d, description, force)));
            return ExitCodes.OK;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = "Adds or removes entries, or changes --global.",
            footer = {"", "Examples:",
                    "  gatehouse-admin policy update --org Acme office --add-allow 198.51.100.0/24",
                    "  gatehouse-admin policy update --org Acme office --add-deny 203.0.113.66 \\",
                    "      --remove 203.0.113.0/25",
                    "  gatehouse-admin policy update --org Acme office --global false"})
    int update(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The policy's organisation.") String org,
               @Parameters(paramLabel = "NAME", description = "The policy's name.") String name,
               @Option(names = "--global", arity = "1", paramLabel = "true|false",
                       description = "true: applies to every request of the organisation; false: only to the accounts it is assigned to.") Boolean global,
               @Option(names = "--add-allow", paramLabel = "CIDR",
                       description = "Add an allow entry (repeat, or comma-separate).") List<String> addAllow,
               @Option(names = "--add-deny", paramLabel = "CIDR",
                       description = "Add a deny entry (repeat, or comma-separate).") List<String> addDeny,
               @Option(names = "--remove", paramLabel = "CIDR", description = "Remove an entry (allow or deny).") List<String> remove,
               @Option(names = "--force", description = "Skip the lockout guard.") boolean force,
               @Mixin DatabaseOptions db, @Mixin ActorOption actor, @Mixin OutputOptions output) {
        List<Cidr> aa = CidrArguments.parse("--add-allow", addAllow);
        List<Cidr> ad = CidrArguments.parse("--add-deny", addDeny);
        List<Cidr> rm = CidrArguments.parse("--remove", remove);
        if (global == null && aa.isEmpty() && ad.isEmpty() && rm.isEmpty()) {
            throw new UsageException("nothing to change: give --global, --add-allow, --add-deny or --remove");
        }
        CidrArguments.warnings(aa, ad).forEach(w -> spec.commandLine().getErr().println("gatehouse-admin: warning: " + w));
        try (Database database = db.open()) {
            Policies.PolicyView updated = new Policies(database.dataSource(), actor.actor()).update(org, name, global, aa, ad, rm,
                    force);
            if (!output.json) { // what was done, in a sentence; then the policy as it now is
                List<String> done = new ArrayList<>();
                aa.forEach(c -> done.add("allow " + c));
                ad.forEach(c -> done.add("deny " + c));
                rm.forEach(c -> done.add("removed " + c));
                if (global != null) {
                    done.add(global ? "now global" : "no longer global");
                }
                spec.commandLine().getOut().println("Updated policy " + name + " of " + org + ": " + String.join(", ", done)
                        + ".");
                spec.commandLine().getOut().println();
            }
            print(updated, output.json);
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin policy delete --org Acme runners --yes"}, description = "Deletes a policy, its entries and assignments.")
    int delete(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org,
               @Parameters(paramLabel = "NAME", description = "The policy, by name.") String name,
               @Option(names = "--force", description = "Skip the lockout guard.") boolean force,
               @Mixin DatabaseOptions db, @Mixin ActorOption actor, @Mixin Confirmation confirmation,
               @Mixin OutputOptions output) {
        confirmation.require("This deletes policy '" + name + "' of organisation '" + org + "'");
        try (Database database = db.open()) {
            new Policies(database.dataSource(), actor.actor()).delete(org, name, force);
            if (output.json) {
                Output.json(spec.commandLine().getOut(), new Changed(org, name, null, "deleted"));
                return ExitCodes.OK;
            }
            spec.commandLine().getOut().println("Deleted policy '" + name + "'");
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin policy list --org Acme"}, description = "Lists an organisation's policies.")
    int list(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org, @Mixin DatabaseOptions db,
             @Mixin OutputOptions output) {
        try (Database database = db.open()) {
            Output.rows(spec.commandLine().getOut(), output.json, new Policies(database.dataSource(), "-").list(org),
                    "name", "is_global", "allow", "deny", "accounts", "id");
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin policy show --org Acme office --json"}, description = "Shows a policy's entries and accounts.")
    int show(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org, @Parameters(paramLabel = "NAME", description = "The policy, by name.") String name,
             @Mixin DatabaseOptions db, @Mixin OutputOptions output) {
        try (Database database = db.open()) {
            print(new Policies(database.dataSource(), "-").show(org, name), output.json);
            return ExitCodes.OK;
        }
    }

    @Command(name = "assign", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin policy assign --org Acme ci runners"}, description = "Assigns a policy to an account.")
    int assign(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org,
               @Parameters(index = "0", paramLabel = "ACCOUNT", description = "The account, by name.") String account,
               @Parameters(index = "1", paramLabel = "POLICY", description = "The policy, by name.") String policy,
               @Option(names = "--force", description = "Skip the lockout guard.") boolean force,
               @Mixin DatabaseOptions db, @Mixin ActorOption actor, @Mixin OutputOptions output) {
        try (Database database = db.open()) {
            new Policies(database.dataSource(), actor.actor()).assign(org, account, policy, true, force);
            if (output.json) {
                Output.json(spec.commandLine().getOut(), new Changed(org, policy, account, "assigned"));
                return ExitCodes.OK;
            }
            spec.commandLine().getOut().println("Assigned '" + policy + "' to '" + account + "'");
            return ExitCodes.OK;
        }
    }

    @Command(name = "unassign", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin policy unassign --org Acme ci runners"}, description = "Removes a policy from an account.")
    int unassign(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org,
                 @Parameters(index = "0", paramLabel = "ACCOUNT", description = "The account, by name.") String account,
                 @Parameters(index = "1", paramLabel = "POLICY", description = "The policy, by name.") String policy,
                 @Option(names = "--force", description = "Skip the lockout guard.") boolean force,
                 @Mixin DatabaseOptions db, @Mixin ActorOption actor, @Mixin OutputOptions output) {
        try (Database database = db.open()) {
            new Policies(database.dataSource(), actor.actor()).assign(org, account, policy, false, force);
            if (output.json) {
                Output.json(spec.commandLine().getOut(), new Changed(org, policy, account, "unassigned"));
                return ExitCodes.OK;
            }
            spec.commandLine().getOut().println("Unassigned '" + policy + "' from '" + account + "'");
            return ExitCodes.OK;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            footer = {"", "Examples:", "  gatehouse-admin policy check --org Acme --ip 203.0.113.9", "  gatehouse-admin policy check --org Acme --account ci --ip 198.51.100.7"},
            description = {"Decides for an address, and says why.", "",
                    "The decision, and the policies and entries that made it. Exit 0 allowed, 1 denied."})
    @SuppressWarnings("unchecked")
    int check(@Option(names = "--org", required = true, paramLabel = "ORG", description = "The organisation, by name.") String org,
              @Option(names = "--account", paramLabel = "ACCOUNT", description = "Also the policies assigned to this account.") String account,
              @Option(names = "--ip", required = true, paramLabel = "IP", description = "The client address to decide for.") String ip,
              @Mixin DatabaseOptions db, @Mixin OutputOptions output) {
        IpAddress address;
        try {
            address = IpAddress.parse(ip.trim());
        } catch (InvalidAddressException e) {
            throw new UsageException("--ip: " + e.getMessage());
        }
        try (Database database = db.open()) {
            Policies.PolicyCheck r = new Policies(database.dataSource(), "-").check(org, account, address);
            PrintWriter out = spec.commandLine().getOut();
            if (output.json) {
                Output.json(out, r);
            } else {
                out.println(r.decision() + ": " + r.reason());
                for (Policies.ApplicablePolicy p : r.applicablePolicies()) {
                    List<Policies.MatchingEntry> entries = p.matchingEntries();
                    out.println("  " + p.policy() + (p.global() ? " (global)" : " (assigned)") + ": "
                            + (entries.isEmpty() ? "no entry matches" + (p.hasAllowEntries() ? " (has allow entries)" : "")
                            : String.join(", ", entries.stream().map(e -> e.action() + " " + e.network()).toList())));
                }
            }
            return "allow".equals(r.decision()) ? ExitCodes.OK : ExitCodes.FAILURE;
        }
    }

    private void print(Policies.PolicyView policy, boolean json) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Output.json(out, policy);
            return;
        }
        for (Map.Entry<String, Object> e : Json.fields(policy).entrySet()) {
            Object v = e.getValue();
            String text = v instanceof List<?> l ? String.join(" ", l.stream().map(String::valueOf).toList())
                    : v == null ? "" : String.valueOf(v);
            out.printf("%-12s %s%n", e.getKey() + ":", text.isEmpty() ? "-" : text);
        }
    }
}
