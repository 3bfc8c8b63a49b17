package dev.gatehouse.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code gatehouse-admin apply} and {@code export} at fleet scale, timed as an operator runs them: the CLI's jar
 * launched as a process (a JVM start each) against an embedded PostgreSQL 17, on a manifest of N organisations × K
 * CIDRs (one global policy each, the networks scattered as {@link FleetSeed} scatters them). Steps: apply to an empty
 * database; apply the same file again (nothing to change); export; apply the export (nothing to change); apply with
 * 1% of the organisations changed (an entry swapped).
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.gatehouse.bench.ManifestBenchmark ORGS CIDRS_PER_ORG};
 * {@code -Dadmin.jar=...} names the CLI's jar (default {@code admin-cli/target/gatehouse-admin.jar}).
 */
public final class ManifestBenchmark {
    public static void main(String[] args) throws Exception {
        int orgs = Integer.parseInt(args[0]);
        int perOrg = Integer.parseInt(args[1]);
        Path jar = Path.of(System.getProperty("admin.jar", "admin-cli/target/gatehouse-admin.jar"));
        if (!Files.isRegularFile(jar)) {
            System.err.println("no admin jar at " + jar + " (mvn -DskipTests package, or -Dadmin.jar=...)");
            System.exit(2);
        }
        Path work = Files.createTempDirectory("gatehouse-manifest");
        Path fleet = work.resolve("fleet.yaml");
        write(fleet, orgs, perOrg, -1);
        System.out.printf("manifest: %,d organisations × %d CIDRs, %,d bytes (%s)%n", orgs, perOrg, Files.size(fleet), fleet);
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            GatewayProcesses.migrated(url).close();
            run(jar, url, work, "apply to an empty database", "apply", "-f", fleet.toString());
            run(jar, url, work, "apply again (no changes)", "apply", "-f", fleet.toString());
            Path exported = work.resolve("exported.yaml");
            run(jar, url, work, "export", "export").renameTo(exported.toFile());
            System.out.printf("export: %,d bytes%n", Files.size(exported));
            run(jar, url, work, "apply the export (no changes)", "apply", "-f", exported.toString());
            Path changed = work.resolve("changed.yaml");
            write(changed, orgs, perOrg, 100);
            run(jar, url, work, "apply with 1% of organisations changed", "apply", "-f", changed.toString());
        }
    }

    /** N organisations; with {@code changeEvery} > 0, every such one has its first network replaced. */
    private static void write(Path file, int orgs, int perOrg, int changeEvery) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("organisations:\n");
            long n = 0;
            for (int o = 1; o <= orgs; o++) {
                w.write("  - name: Org" + o + "\n    policies:\n      - name: offices\n        global: true\n        allow: [");
                for (int j = 0; j < perOrg; j++, n++) {
                    long net = (n * 2654435761L) % 16777216;
                    if (j == 0 && changeEvery > 0 && o % changeEvery == 0) {
                        net = (net + 8388608) % 16777216; // another /24, far away
                    }
                    w.write((j == 0 ? "" : ", ") + (net >> 16) + "." + ((net >> 8) & 255) + "." + (net & 255) + ".0/24");
                }
                w.write("]\n");
            }
        }
    }

    /** Runs the CLI, prints the step's time and its output's last line; returns the file holding its stdout. */
    private static java.io.File run(Path jar, String url, Path work, String step, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("java", "-jar", jar.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--database-url", url, "--actor", "bench"));
        java.io.File out = work.resolve("out-" + System.nanoTime() + ".txt").toFile();
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectOutput(out).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        int code = p.waitFor();
        double seconds = (System.nanoTime() - t0) / 1e9;
        List<String> lines = Files.readAllLines(out.toPath());
        System.out.printf("%-42s exit %d in %6.1f s   %s%n", step, code, seconds,
                lines.isEmpty() ? "" : lines.get(lines.size() - 1));
        if (code != 0) {
            throw new IllegalStateException(step + " failed");
        }
        return out;
    }
}
