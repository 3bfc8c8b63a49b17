package dev.gatehouse.core.testing;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One module's packages drawn as levels, top to bottom, as its README map draws them: a package may use those on a
 * lower level, never one on its own level or above, and no packages depend on each other in a circle. Each module's
 * {@code ArchitectureTest} names its levels and runs both rules; a new cycle or a shortcut upward fails with the
 * classes that made it.
 *
 * <p>A rule over no classes passes whatever it says, so each one first checks what it looks at: classes were
 * imported, and every package the levels name has some (a package renamed or moved leaves a level that would
 * otherwise guard nothing).
 */
public final class PackageLevels {
    private final String base;
    private final List<List<String>> levels;
    private final Map<String, Integer> levelOf = new HashMap<>();
    private final JavaClasses classes;

    /**
     * @param base   the module's base package
     * @param levels top to bottom; packages on one level are independent of each other; "" is the base package itself
     */
    public PackageLevels(String base, List<List<String>> levels) {
        this.base = base;
        this.levels = levels;
        for (int i = 0; i < levels.size(); i++) {
            for (String p : levels.get(i)) {
                levelOf.put(p, i);
            }
        }
        this.classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages(base);
    }

    /** Fails unless classes were imported, and from every package the levels name. */
    public void assertImported() {
        assertThat(classes).as("classes of " + base + " imported (a rule over none passes whatever it says)")
                .isNotEmpty();
        TreeSet<String> seen = new TreeSet<>();
        for (JavaClass c : classes) {
            seen.add(packageOf(c));
        }
        TreeSet<String> empty = new TreeSet<>(levelOf.keySet());
        empty.removeAll(seen);
        assertThat(empty).as("packages in the levels without a class (renamed or moved? update the levels and the"
                + " README's map)").isEmpty();
    }

    /** Every package placed, and every dependency between packages pointing to a lower level. */
    public void assertOnlyDownward() {
        assertImported();
        TreeSet<String> unknown = new TreeSet<>();
        TreeSet<String> upward = new TreeSet<>();
        for (JavaClass c : classes) {
            String from = packageOf(c);
            if (!levelOf.containsKey(from)) {
                unknown.add(name(from) + " (" + c.getName() + ")");
                continue;
            }
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                JavaClass target = d.getTargetClass();
                if (!inBase(target)) {
                    continue;
                }
                String to = packageOf(target);
                if (to.equals(from) || !levelOf.containsKey(to)) {
                    continue;
                }
                if (levelOf.get(to) <= levelOf.get(from)) {
                    upward.add(name(from) + " -> " + name(to) + ": " + d.getDescription());
                }
            }
        }
        assertThat(unknown).as("packages not placed in the levels (put each in the README's map too)").isEmpty();
        assertThat(upward).as("dependencies on the same level or upward").isEmpty();
    }

    /** No cycle between the packages below the base, the base package itself counted as one of them. */
    public void assertNoCycles() {
        assertImported();
        slices().assignedFrom(new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass c) {
                return inBase(c) ? SliceIdentifier.of(name(packageOf(c))) : SliceIdentifier.ignore();
            }

            @Override
            public String getDescription() {
                return "the packages of " + base;
            }
        }).should().beFreeOfCycles().check(classes);
    }

    /**
     * Fails unless the map drawn in {@code readme} under the line {@code header} (in a code block: one level a line,
     * its packages joined by " · ", two spaces before the description; "(root)" for the base package) has these
     * levels, so that the map a reader trusts and the rule the build runs cannot drift apart.
     */
    public void assertDrawnIn(Path readme, String header) throws IOException {
        List<String> lines = Files.readAllLines(readme);
        int at = lines.indexOf(header);
        assertThat(at).as("a line '" + header + "' in " + readme).isNotNegative();
        List<Set<String>> drawn = new ArrayList<>();
        for (String line : lines.subList(at + 1, lines.size())) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("```")) {
                break;
            }
            int gap = l.indexOf("  ");
            Set<String> level = new TreeSet<>();
            for (String p : (gap < 0 ? l : l.substring(0, gap)).split(" · ")) {
                level.add(p.strip().equals("(root)") ? "" : p.strip());
            }
            drawn.add(level);
        }
        List<Set<String>> expected = levels.stream().<Set<String>>map(TreeSet::new).toList();
        assertThat(drawn).as("the levels drawn in " + readme + " under '" + header + "'").isEqualTo(expected);
    }

    private boolean inBase(JavaClass c) {
        String p = c.getPackageName();
        return p.equals(base) || p.startsWith(base + ".");
    }

    /** The first segment below the base package; "" for the base package itself. */
    private String packageOf(JavaClass c) {
        String p = c.getPackageName();
        if (p.equals(base)) {
            return "";
        }
        String rest = p.substring(base.length() + 1);
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    private static String name(String pkg) {
        return pkg.isEmpty() ? "(root)" : pkg;
    }
}
