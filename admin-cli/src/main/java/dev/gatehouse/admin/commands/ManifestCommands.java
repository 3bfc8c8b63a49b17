package dev.gatehouse.admin.commands;

import dev.gatehouse.admin.cli.ActorOption;
import dev.gatehouse.admin.cli.Confirmation;
import dev.gatehouse.admin.cli.DatabaseOptions;
import dev.gatehouse.admin.cli.ExitCodes;
import dev.gatehouse.admin.cli.ManifestFiles;
import dev.gatehouse.admin.cli.Output;
import dev.gatehouse.admin.cli.OutputOptions;
import dev.gatehouse.core.admin.Manifest;
import dev.gatehouse.core.admin.Manifests;
import dev.gatehouse.core.db.Database;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Policy as code: {@code apply -f FILE} and {@code export}, over core's {@link Manifests}. */
public final class ManifestCommands {
    /** Details shown on a change's line before "… and N more" (--json lists them all). */
    private static final int DETAILS_SHOWN = 6;

    private ManifestCommands() {
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = {"Makes organisations and policies as a file says.", "",
                    "Reads a manifest (YAML or JSON, as `export` writes it): organisations with their apps, network"
                            + " policies with their entries, and the policies assigned to existing accounts. Prints"
                            + " what changes (+ added, ~ changed, - removed), then changes it in one transaction"
                            + " recorded in admin_actions: a policy it names gets exactly the entries, global flag"
                            + " and description written; an account it lists, exactly the policies listed. What the"
                            + " file does not name stays, unless --prune. Refused as a whole, changing nothing, if it"
                            + " would deny an admin seen allowed in the last 24 hours, unless --force."},
            footer = {"", "Examples:",
                    "  gatehouse-admin export > fleet.yaml",
                    "  gatehouse-admin apply -f fleet.yaml --dry-run",
                    "  gatehouse-admin apply -f fleet.yaml",
                    "  gatehouse-admin apply -f fleet.yaml --prune --yes",
                    "  gatehouse-admin apply -f fleet.json --json",
                    "",
                    "A manifest:",
                    "  organisations:",
                    "    - name: Acme",
                    "      apps: [vault]",
                    "      policies:",
                    "        - name: office",
                    "          global: true",
                    "          allow: [203.0.113.0/24, '2001:db8:1::/48']",
                    "          deny: [203.0.113.66/32]",
                    "        - name: runners",
                    "          allow: [198.51.100.0/24]",
                    "      accounts:",
                    "        - name: ci",
                    "          policies: [runners]"})
    public static final class Apply implements Callable<Integer> {
        @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
                description = "The manifest, YAML or JSON.")
        Path file;
        @Option(names = "--dry-run", description = "Show what would change; change nothing.")
        boolean dryRun;
        @Option(names = "--prune", description = "Also delete the organisations, apps and policies the file does not"
                + " name, and unassign the accounts it does not list (asks first, or --yes).")
        boolean prune;
        @Option(names = "--force", description = "Skip the lockout guard.")
        boolean force;
        @Mixin DatabaseOptions database;
        @Mixin Confirmation confirmation;
        @Mixin ActorOption actor;
        @Mixin OutputOptions output;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            Manifest manifest = ManifestFiles.read(file);
            PrintWriter out = spec.commandLine().getOut();
            try (Database db = database.open()) {
                Manifests manifests = new Manifests(db.dataSource(), actor.actor());
                Manifests.Result result;
                if (dryRun) {
                    result = manifests.plan(manifest, prune);
                } else {
                    if (prune) {
                        String removed = removals(manifests.plan(manifest, true));
                        if (!removed.isEmpty()) {
                            confirmation.require("This deletes what " + file + " does not name: " + removed);
                        }
                    }
                    result = manifests.apply(manifest, prune, force, file.toString());
                }
                print(out, result, output.json);
                return ExitCodes.OK;
            }
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = {"Writes organisations and policies as a manifest.", "",
                    "Every organisation (or one) with its apps, network policies and entries, and the policies"
                            + " assigned to its accounts, in the format `apply -f` reads: YAML, or JSON with --json."
                            + " Applying what it wrote changes nothing. Tokens, SSO providers and the accounts"
                            + " themselves are not part of it."},
            footer = {"", "Examples:",
                    "  gatehouse-admin export > fleet.yaml",
                    "  gatehouse-admin export --org Acme",
                    "  gatehouse-admin export --json > fleet.json"})
    public static final class Export implements Callable<Integer> {
        @Option(names = "--org", paramLabel = "ORG", description = "Only this organisation (default: all).")
        String org;
        @Mixin DatabaseOptions database;
        @Mixin OutputOptions output;
        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (Database db = database.open()) {
                Manifest m = new Manifests(db.dataSource(), "export").export(org);
                if (output.json) {
                    Output.json(out, m);
                } else {
                    out.print(ManifestFiles.yaml(m, "Gatehouse manifest (gatehouse-admin export); apply with:"
                            + " gatehouse-admin apply -f FILE"));
                }
                out.flush();
                return ExitCodes.OK;
            }
        }
    }

    /** "2 organisations, 1 policy": what a plan removes, by kind; empty when nothing. */
    static String removals(Manifests.Result plan) {
        java.util.Map<String, Integer> byKind = new java.util.LinkedHashMap<>();
        for (String kind : List.of("organisation", "app", "policy")) {
            byKind.put(kind, 0);
        }
        for (Manifests.Change c : plan.changes()) {
            if (c.op().equals("remove")) {
                byKind.merge(c.kind(), 1, Integer::sum);
            }
        }
        List<String> parts = new java.util.ArrayList<>();
        byKind.forEach((kind, n) -> {
            if (n > 0) {
                parts.add(n + " " + (n == 1 ? kind : kind.equals("policy") ? "policies" : kind + "s"));
            }
        });
        return String.join(", ", parts);
    }

    /** The changes, one line each, and a summary; or the result as JSON. */
    static void print(PrintWriter out, Manifests.Result r, boolean json) {
        if (json) {
            Output.json(out, r);
            return;
        }
        for (Manifests.Change c : r.changes()) {
            String sign = switch (c.op()) {
                case "add" -> "+";
                case "change" -> "~";
                default -> "-";
            };
            String what = c.kind().equals("organisation") ? c.org() : c.org() + "/" + c.name();
            out.println(sign + " " + c.kind() + " " + what + details(c.details()));
        }
        if (r.isEmpty()) {
            out.println("No changes: the database is as the file says.");
            return;
        }
        out.printf("%s %d added, %d changed, %d removed.%n", r.applied() ? "Applied:" : "Would apply (nothing changed):",
                r.added(), r.changed(), r.removed());
    }

    private static String details(List<String> details) {
        if (details.isEmpty()) {
            return "";
        }
        if (details.size() <= DETAILS_SHOWN) {
            return ": " + String.join(", ", details);
        }
        return ": " + String.join(", ", details.subList(0, DETAILS_SHOWN - 1)) + " … and "
                + (details.size() - DETAILS_SHOWN + 1) + " more";
    }
}
