package dev.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Scripts read {@code --json}: every command's JSON keeps its field names and value kinds. One scenario runs every
 * command that prints JSON; each document's shape (field names, sorted, with the kind of each value; an array by its
 * first element) is compared with {@code json-shapes.txt}. A renamed or dropped field fails here. After a deliberate
 * change: {@code -Djson.shapes.write=true} rewrites the file; review its diff like an API change.
 */
class JsonShapesIT {
    private static final Path PINNED = Path.of("src/test/resources/json-shapes.txt");
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();

    private String url;

    private CliRun admin(String... args) {
        return CliRun.of(Stream.concat(Arrays.stream(args), Stream.of("--database-url", url, "--actor", "ops"))
                .toArray(String[]::new));
    }

    @Test
    void everyJsonDocumentKeepsItsShape() throws IOException {
        TestDatabase d = db.database();
        d.update("TRUNCATE organisations, admin_actions, access_events CASCADE");
        url = d.jdbcUrl() + (d.jdbcUrl().contains("?") ? "&" : "?") + "user=" + d.user() + "&password=" + d.password();
        ok("org", "create", "Acme", "--retention-days", "90", "--require-sso");
        ok("app", "create", "--org", "Acme", "vault");
        ok("account", "create", "--org", "Acme", "alice", "--role", "admin", "--email", "alice@acme.test");
        ok("account", "create", "--org", "Acme", "ci", "--kind", "service");
        ok("policy", "create", "--org", "Acme", "office", "--global", "--allow", "203.0.113.0/24");
        ok("policy", "create", "--org", "Acme", "branch", "--allow", "198.51.100.0/24");
        ok("policy", "assign", "--org", "Acme", "alice", "branch");
        Object org = d.queryValue("SELECT id FROM organisations WHERE name = 'Acme'");
        Object alice = d.queryValue("SELECT id FROM accounts WHERE name = 'alice'");
        d.update("INSERT INTO access_events (ts, event_id, org_id, account_id, client_ip, method, path, status, decision,"
                + " request_id) VALUES (now() - interval '1 hour', gen_random_uuid(), ?, ?, '203.0.113.9', 'GET', '/x', 200,"
                + " 'allow', 'r-1')", org, alice);
        d.update("INSERT INTO access_events (ts, event_id, org_id, client_ip, method, path, status, decision)"
                + " VALUES (now() - interval '40 days', gen_random_uuid(), ?, '192.0.2.1', 'GET', '/y', 403, 'deny')", org);

        List<String> shapes = new ArrayList<>();
        shape(shapes, "token create", "token", "create", "--org", "Acme", "ci", "--name", "deploy", "--json");
        shape(shapes, "app create", "app", "create", "--org", "Acme", "extra", "--json");
        ok("account", "create", "--org", "Acme", "bob", "--email", "bob@acme.test");
        shape(shapes, "policy assign", "policy", "assign", "--org", "Acme", "bob", "branch", "--json");
        shape(shapes, "policy unassign", "policy", "unassign", "--org", "Acme", "bob", "branch", "--json");
        shape(shapes, "org list", "org", "list", "--json");
        shape(shapes, "org show", "org", "show", "Acme", "--json");
        shape(shapes, "app list", "app", "list", "--org", "Acme", "--json");
        shape(shapes, "account list", "account", "list", "--org", "Acme", "--json");
        shape(shapes, "token list", "token", "list", "--org", "Acme", "--json");
        shape(shapes, "policy list", "policy", "list", "--org", "Acme", "--json");
        shape(shapes, "policy show", "policy", "show", "--org", "Acme", "office", "--json");
        shape(shapes, "policy update", "policy", "update", "--org", "Acme", "branch", "--add-deny", "198.51.100.99/32", "--json");
        shape(shapes, "policy check", "policy", "check", "--org", "Acme", "--ip", "203.0.113.9", "--json");
        shape(shapes, "policy check --account", "policy", "check", "--org", "Acme", "--account", "alice", "--ip",
                "198.51.100.99", "--json");
        shape(shapes, "policy update refused by the guard", "policy", "update", "--org", "Acme", "office", "--remove",
                "203.0.113.0/24", "--add-allow", "192.0.2.0/24", "--json");
        shape(shapes, "retention set", "retention", "set", "Acme", "90", "--json");
        shape(shapes, "retention set --off", "retention", "set", "Acme", "--off", "--app", "vault", "--json");
        shape(shapes, "audit-mode set", "audit-mode", "set", "Acme", "full", "--json");
        shape(shapes, "audit-mode set inherit", "audit-mode", "set", "Acme", "inherit", "--app", "vault", "--json");
        shape(shapes, "retention show", "retention", "show", "--json");
        shape(shapes, "audit-mode show", "audit-mode", "show", "--json");
        shape(shapes, "audit search", "audit", "search", "--org", "Acme", "--since", "2d", "--json");
        shape(shapes, "db-stats", "db-stats", "--json");
        shape(shapes, "db-stats --partitions", "db-stats", "--partitions", "--json");
        shape(shapes, "migrate info", "migrate", "info", "--json");
        shape(shapes, "migrate validate", "migrate", "validate", "--json");
        shape(shapes, "vacuum", "vacuum", "admin_actions", "--analyze", "--json");
        shape(shapes, "purge-logs --dry-run", "purge-logs", "Acme", "--retain", "30", "--dry-run", "--json");
        shape(shapes, "purge-logs", "purge-logs", "Acme", "--retain", "30", "--yes", "--json");
        shape(shapes, "purge-logs --all-orgs", "purge-logs", "--all-orgs", "--retain", "30", "--yes", "--json");
        shape(shapes, "reset-global-policies --dry-run", "reset-global-policies", "--org", "Acme", "--dry-run", "--json");
        shape(shapes, "reset-global-policies refused by the guard", "reset-global-policies", "--org", "Acme", "--yes", "--json");
        shape(shapes, "reset-global-policies", "reset-global-policies", "--org", "Acme", "--yes", "--force", "--json");
        shape(shapes, "restore-global-policies --dry-run", "restore-global-policies", "--org", "Acme", "--dry-run", "--json");
        shape(shapes, "restore-global-policies", "restore-global-policies", "--org", "Acme", "--yes", "--json");
        no.nav.security.mock.oauth2.MockOAuth2Server idp = new no.nav.security.mock.oauth2.MockOAuth2Server();
        idp.start();
        try {
            ok("sso", "provider", "add", "--org", "Acme", "okta", "--issuer", idp.issuerUrl("acme").toString(), "--client-id",
                    "gatehouse", "--client-secret-env", "OKTA_SECRET");
            shape(shapes, "sso provider list", "sso", "provider", "list", "--org", "Acme", "--json");
            shape(shapes, "sso provider show", "sso", "provider", "show", "--org", "Acme", "okta", "--json");
            shape(shapes, "sso check", "sso", "check", "--org", "Acme", "--json");
            d.update("INSERT INTO sso_events (org_id, event, email, client_ip, reason) VALUES (?, 'sign-in refused',"
                    + " 'mallory@acme.test', '203.0.113.9', 'sso_no_account')", org);
            shape(shapes, "audit sign-ins", "audit", "sign-ins", "--org", "Acme", "--json");
            shape(shapes, "sso require --off", "sso", "require", "--org", "Acme", "--off", "--json");
            shape(shapes, "sso require", "sso", "require", "--org", "Acme", "--json");
            shape(shapes, "disable-org-sso --show", "disable-org-sso", "--org", "Acme", "--show", "--json");
        } finally {
            idp.shutdown();
        }
        shape(shapes, "disable-org-sso", "disable-org-sso", "--org", "Acme", "--disable-enforcement", "--yes", "--json");
        shape(shapes, "sso revoke --account", "sso", "revoke", "--org", "Acme", "--account", "alice", "--yes", "--json");
        shape(shapes, "sso revoke --all", "sso", "revoke", "--org", "Acme", "--all", "--yes", "--json");
        shape(shapes, "export", "export", "--org", "Acme", "--json");
        Path manifest = Files.createTempFile("fleet", ".yaml");
        Files.writeString(manifest, "organisations:\n  - name: Acme\n    apps: [shop]\n    policies:\n"
                + "      - name: office\n        global: true\n        allow: [203.0.113.0/24, 192.0.2.0/24]\n");
        shape(shapes, "apply --dry-run", "apply", "-f", manifest.toString(), "--dry-run", "--json");
        shape(shapes, "apply", "apply", "-f", manifest.toString(), "--force", "--json");
        Files.delete(manifest);
        shape(shapes, "a failure", "org", "show", "Nobody", "--json");
        Path routes = Files.createTempFile("routes", ".conf");
        Files.writeString(routes, "gatehouse.routes = [ { hosts = [\"acme.example.com\"], prefix = \"/\", upstream = demo,"
                + " org = Acme } ]\n");
        shape(shapes, "route explain", CliRun.of("route", "explain", "-c", routes.toString(), "--host", "acme.example.com",
                "--path", "/", "--json"));
        shape(shapes, "client-ip explain", CliRun.of("client-ip", "explain", "-c", routes.toString(), "--peer", "192.0.2.1",
                "--json"));
        Files.delete(routes);
        String actual = String.join("\n", shapes) + "\n";
        if (Boolean.getBoolean("json.shapes.write")) {
            Files.writeString(PINNED, actual);
        }
        assertThat(actual).isEqualTo(Files.readString(PINNED));
    }

    private void ok(String... args) {
        CliRun r = admin(args);
        assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isZero();
    }

    /** Each JSON document the command printed (stdout, then stderr), as one line: name → shape. */
    private void shape(List<String> shapes, String name, String... args) throws IOException {
        shape(shapes, name, admin(args));
    }

    /** A command that reads no database (its run given whole). */
    private void shape(List<String> shapes, String name, CliRun r) throws IOException {
        List<String> docs = new ArrayList<>();
        for (String stream : List.of(r.out(), r.err())) {
            for (String line : stream.split("\n")) {
                if (line.startsWith("{") || line.startsWith("[")) {
                    docs.add(shape(JSON.readTree(line)));
                }
            }
        }
        shapes.add(name + " (exit " + r.code() + "): " + (docs.isEmpty() ? "no JSON: " + r.err().strip() : String.join(" | ", docs)));
    }

    static String shape(JsonNode n) {
        if (n.isObject()) {
            TreeMap<String, String> fields = new TreeMap<>();
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                fields.put(k, shape(n.get(k)));
            }
            StringBuilder sb = new StringBuilder("{");
            fields.forEach((k, v) -> sb.append(sb.length() > 1 ? "," : "").append(k).append(':').append(v));
            return sb.append('}').toString();
        }
        if (n.isArray()) {
            return n.isEmpty() ? "[]" : "[" + shape(n.get(0)) + "]";
        }
        return n.isNull() ? "null" : n.isNumber() ? "n" : n.isBoolean() ? "b" : "s";
    }
}
