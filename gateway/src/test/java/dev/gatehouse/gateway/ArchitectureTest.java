package dev.gatehouse.gateway;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The gateway's packages depend only downward, in the order the README's map draws. A package may use those on a
 * lower level, never one on its own level or above: a new cycle, or a shortcut upward, fails here with the classes
 * that made it.
 */
class ArchitectureTest {
    private static final String BASE = "dev.gatehouse.gateway";
    /** Top to bottom; packages on one level are independent of each other. "" is the root package. */
    static final List<List<String>> LEVELS = List.of(
            List.of(""),                       // Gateway (start-up order), GatehouseMain, logging
            List.of("server"),                 // the listener and the pipeline, assembled in one initializer
            List.of("management", "demo", "console"), // the side listeners
            List.of("policy", "clientip", "sso"), // who calls, from where, signed in, and may they
            List.of("proxy"),                  // the exchange with the upstream
            List.of("metrics"),                // what a finished request reports
            List.of("audit"),                  // the audit log's writer, spool and upkeep
            List.of("request"),                // a request's state, its strict reading, the gateway's own answers
            List.of("route"),                  // which route, which upstream
            List.of("config"),                 // the settings, one record per section
            List.of("support"));               // threads, reloaded files, the transport, the schema gate

    private static final JavaClasses GATEWAY = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(BASE);

    @Test
    void packagesDependOnlyDownward() {
        Map<String, Integer> level = new java.util.HashMap<>();
        for (int i = 0; i < LEVELS.size(); i++) {
            for (String p : LEVELS.get(i)) {
                level.put(p, i);
            }
        }
        TreeSet<String> unknown = new TreeSet<>();
        TreeSet<String> upward = new TreeSet<>();
        for (JavaClass c : GATEWAY) {
            String from = packageOf(c);
            if (!level.containsKey(from)) {
                unknown.add(from + " (" + c.getName() + ")");
                continue;
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                JavaClass target = d.getTargetClass();
                if (!target.getPackageName().startsWith(BASE)) {
                    continue;
                }
                String to = packageOf(target);
                if (to.equals(from) || !level.containsKey(to)) {
                    continue;
                }
                if (level.get(to) <= level.get(from)) {
                    upward.add(name(from) + " -> " + name(to) + ": " + d.getDescription());
                }
            }
        }
        assertThat(unknown).as("packages not placed in LEVELS (put each in the README's map too)").isEmpty();
        assertThat(upward).as("dependencies on the same level or upward").isEmpty();
    }

    @Test
    void noPackageCycles() {
        slices().matching(BASE + ".(*)..").should().beFreeOfCycles().check(GATEWAY);
    }

    /** The first segment below the base package; "" for the root package. */
    private static String packageOf(JavaClass c) {
        String p = c.getPackageName();
        if (p.equals(BASE)) {
            return "";
        }
        String rest = p.substring(BASE.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    private static String name(String pkg) {
        return pkg.isEmpty() ? "(root)" : pkg;
    }
}
