package dev.gatehouse.admin.cli;

import dev.gatehouse.core.admin.Manifest;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

/**
 * A {@link Manifest} as a file: YAML, or JSON (which YAML reads as well), with the same keys as the JSON of
 * {@code export --json}. Read strictly: an unknown key, a value of the wrong kind or a bad network is a usage error
 * naming the file, where, and what; values are never guessed (a name YAML would read as a number or a boolean has to
 * be quoted). Written as YAML with what is default left out ({@code global: false}, empty lists).
 */
public final class ManifestFiles {
    private static final Set<String> TOP = Set.of("organisations");
    private static final Set<String> ORG = Set.of("name", "apps", "policies", "accounts");
    private static final Set<String> POLICY = Set.of("name", "global", "description", "allow", "deny");
    private static final Set<String> ACCOUNT = Set.of("name", "policies");
    /** Characters a manifest may have: 10 000 organisations × 100 networks is ~30 MB of YAML. */
    private static final int MAX_CODE_POINTS = 512 * 1024 * 1024;

    private ManifestFiles() {
    }

    /** The manifest in {@code file}, validated; a usage error (exit 2) saying what is wrong with it. */
    public static Manifest read(Path file) {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_CODE_POINTS);
        options.setAllowDuplicateKeys(false);
        Object doc;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            doc = new Yaml(new SafeConstructor(options)).load(in);
        } catch (NoSuchFileException e) {
            throw new UsageException(file + ": no such file");
        } catch (IOException e) {
            throw new UsageException(file + ": " + e.getMessage());
        } catch (MarkedYAMLException e) {
            throw new UsageException(file + ": line " + (e.getProblemMark().getLine() + 1) + ": " + e.getProblem());
        } catch (YAMLException e) {
            throw new UsageException(file + ": " + e.getMessage());
        }
        try {
            return parse(doc).validated();
        } catch (Manifest.Invalid e) {
            throw new UsageException(file + ": " + e.getMessage());
        }
    }

    /** A document as YAML reads it (maps, lists, scalars) as a manifest, not yet validated. */
    static Manifest parse(Object doc) {
        Map<String, Object> top = map(doc, "the file", TOP);
        List<Manifest.Org> orgs = new ArrayList<>();
        List<Object> items = list(top.get("organisations"), "organisations");
        for (int i = 0; i < items.size(); i++) {
            String at = "organisations[" + i + "]";
            Map<String, Object> o = map(items.get(i), at, null);
            String name = text(o.get("name"), at + ".name");
            at = "organisation '" + name + "'";
            keys(o, at, ORG);
            List<Manifest.Policy> policies = new ArrayList<>();
            List<Object> ps = list(o.get("policies"), at + ", policies");
            for (int j = 0; j < ps.size(); j++) {
                String pat = at + ", policies[" + j + "]";
                Map<String, Object> p = map(ps.get(j), pat, null);
                String pname = text(p.get("name"), pat + ".name");
                pat = at + ", policy '" + pname + "'";
                keys(p, pat, POLICY);
                Object global = p.get("global");
                if (global != null && !(global instanceof Boolean)) {
                    throw new Manifest.Invalid(pat + ": global is true or false, not '" + global + "'");
                }
                Object description = p.get("description");
                policies.add(new Manifest.Policy(pname, Boolean.TRUE.equals(global),
                        description == null ? null : text(description, pat + ", description"),
                        texts(p.get("allow"), pat + ", allow"), texts(p.get("deny"), pat + ", deny")));
            }
            List<Manifest.Account> accounts = new ArrayList<>();
            List<Object> as = list(o.get("accounts"), at + ", accounts");
            for (int j = 0; j < as.size(); j++) {
                String aat = at + ", accounts[" + j + "]";
                Map<String, Object> a = map(as.get(j), aat, null);
                String aname = text(a.get("name"), aat + ".name");
                keys(a, at + ", account '" + aname + "'", ACCOUNT);
                accounts.add(new Manifest.Account(aname, texts(a.get("policies"), at + ", account '" + aname + "', policies")));
            }
            orgs.add(new Manifest.Org(name, texts(o.get("apps"), at + ", apps"), policies, accounts));
        }
        return new Manifest(orgs);
    }

    /** {@code v} as a map; with {@code known}, its keys checked. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object v, String at, Set<String> known) {
        if (v == null) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new Manifest.Invalid(at + ": expected keys and values, not '" + v + "'");
        }
        if (known != null) {
            keys((Map<String, Object>) m, at, known);
        }
        return (Map<String, Object>) m;
    }

    private static void keys(Map<?, ?> m, String at, Set<String> known) {
        for (Object k : m.keySet()) {
            if (!(k instanceof String key) || !known.contains(key)) {
                throw new Manifest.Invalid(at + ": unknown key '" + k + "' (known: "
                        + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object v, String at) {
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l)) {
            throw new Manifest.Invalid(at + ": expected a list, not '" + v + "'");
        }
        return (List<Object>) l;
    }

    private static String text(Object v, String at) {
        if (!(v instanceof String s)) {
            throw new Manifest.Invalid(at + ": expected text" + (v == null ? "" : ", not " + v + " (quote it)"));
        }
        return s;
    }

    private static List<String> texts(Object v, String at) {
        List<String> out = new ArrayList<>();
        List<Object> l = list(v, at);
        for (int i = 0; i < l.size(); i++) {
            out.add(text(l.get(i), at + "[" + i + "]"));
        }
        return out;
    }

    /** The manifest as YAML: keys in a fixed order, defaults left out, any text YAML would misread quoted. */
    public static String yaml(Manifest m, String comment) {
        List<Object> orgs = new ArrayList<>();
        for (Manifest.Org o : m.organisations()) {
            Map<String, Object> org = new LinkedHashMap<>();
            org.put("name", o.name());
            if (!o.apps().isEmpty()) {
                org.put("apps", o.apps());
            }
            if (!o.policies().isEmpty()) {
                List<Object> policies = new ArrayList<>();
                for (Manifest.Policy p : o.policies()) {
                    Map<String, Object> policy = new LinkedHashMap<>();
                    policy.put("name", p.name());
                    if (p.global()) {
                        policy.put("global", true);
                    }
                    if (p.description() != null) {
                        policy.put("description", p.description());
                    }
                    if (!p.allow().isEmpty()) {
                        policy.put("allow", p.allow());
                    }
                    if (!p.deny().isEmpty()) {
                        policy.put("deny", p.deny());
                    }
                    policies.add(policy);
                }
                org.put("policies", policies);
            }
            if (!o.accounts().isEmpty()) {
                List<Object> accounts = new ArrayList<>();
                for (Manifest.Account a : o.accounts()) {
                    Map<String, Object> account = new LinkedHashMap<>();
                    account.put("name", a.name());
                    account.put("policies", a.policies());
                    accounts.add(account);
                }
                org.put("accounts", accounts);
            }
            orgs.add(org);
        }
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        options.setWidth(120);
        Yaml yaml = new Yaml(new Representer(options), options);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("organisations", orgs);
        return "# " + comment + "\n" + yaml.dump(doc);
    }
}
