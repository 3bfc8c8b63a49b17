package dev.gatehouse.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.admin.AdminMain;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.RawHttp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The console's /why and the command line, on the same cases: {@code route explain}, {@code client-ip explain} and
 * {@code policy check} (each with {@code --json}, run in-process against the same config file and database) print
 * exactly the sections the page answers a JSON client, and the page shows their verdicts.
 */
class ConsoleWhyParityIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    static Path dir;

    static final ObjectMapper mapper = new ObjectMapper();
    static Path config;
    static Gateway gateway;
    static int console;

    @BeforeAll
    static void start() throws Exception {
        TestDatabase d = db.database();
        UUID acme = (UUID) d.queryValue("INSERT INTO organisations (name) VALUES ('Acme') RETURNING id");
        d.update("INSERT INTO apps (org_id, name) VALUES (?, 'vault')", acme);
        UUID alice = (UUID) d.queryValue("INSERT INTO accounts (org_id, name, kind, role) VALUES (?, 'alice', 'member',"
                + " 'admin') RETURNING id", acme);
        UUID office = policy(d, acme, "office", true);
        d.update("INSERT INTO network_policy_entries (policy_id, action, network) VALUES (?, 'allow', '203.0.113.0/24')", office);
        UUID block = policy(d, acme, "<i>blocklist</i>", true);
        d.update("INSERT INTO network_policy_entries (policy_id, action, network) VALUES (?, 'deny', '203.0.113.66/32')", block);
        UUID runners = policy(d, acme, "runners", false);
        d.update("INSERT INTO network_policy_entries (policy_id, action, network) VALUES (?, 'allow', '198.51.100.0/24')", runners);
        d.update("INSERT INTO account_network_policies (org_id, account_id, policy_id, assigned_by) VALUES (?, ?, ?, 't')",
                acme, alice, runners);
        console = ConsoleIT.freePort();
        config = GatewayConfigs.write(dir, d, "gatehouse.console { enabled = true, port = " + console + " }\n"
                + "gatehouse.client-ip { trusted-proxies = [\"10.0.0.0/16\"], headers = [\"X-Forwarded-For\"] }\n"
                + "gatehouse.routes = [\n"
                + "  { hosts = [\"acme.example.com\"], prefix = \"/\", upstream = \"http://127.0.0.1:1\", org = \"Acme\" }\n"
                + "  { prefix = \"/api/\", upstream = \"http://127.0.0.1:2\", app = \"Acme/vault\", identify = token }\n"
                + "  { prefix = \"/\", upstream = \"http://127.0.0.1:3\" }\n]\n");
        gateway = Gateway.start(dev.gatehouse.core.config.ConfigLoader.load(config, Map.of()));
    }

    static UUID policy(TestDatabase d, UUID org, String name, boolean global) {
        return (UUID) d.queryValue("INSERT INTO network_access_policies (org_id, name, is_global, created_by, updated_by)"
                + " VALUES (?, ?, ?, 't', 't') RETURNING id", org, name, global);
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    /** One question: what the page is asked, and the same for the command line. */
    record Case(String org, String ip, String path, String host, String account, String peer, List<String> headers) {
        String query() {
            List<String> q = new ArrayList<>();
            add(q, "org", org);
            add(q, "ip", ip);
            add(q, "path", path);
            add(q, "host", host);
            add(q, "account", account);
            add(q, "peer", peer);
            headers.forEach(h -> add(q, "h", h));
            return String.join("&", q);
        }

        private static void add(List<String> q, String name, String value) {
            if (value != null) {
                q.add(name + "=" + ConsoleFormat.query(value));
            }
        }
    }

    static List<Case> cases() {
        return List.of(
                new Case("Acme", "203.0.113.9", "/", "acme.example.com", null, null, List.of()),
                new Case(null, "203.0.113.66", "/reports", "acme.example.com", null, null, List.of()),
                new Case("Acme", "198.51.100.7", "/", "acme.example.com", "alice", null, List.of()),
                new Case("Acme", "192.0.2.1", "/", "ACME.example.com:443", null, null, List.of()),
                new Case("Acme", null, "/api/v1", "other.example", "alice", "10.0.2.2",
                        List.of("X-Forwarded-For: 198.51.100.77, 10.0.1.1")),
                new Case("Acme", null, "/", null, null, "10.0.2.2", List.of("X-Forwarded-For: unknown")),
                new Case("Acme", null, "/", "acme.example.com", null, "192.0.2.9",
                        List.of("X-Forwarded-For: 203.0.113.66")));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void thePageAndTheCommandLineAgree(Case c) throws Exception {
        RawHttp.Response r = ConsoleIT.request(console, "GET", "/why?" + c.query(), "Accept: application/json");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode page = mapper.readTree(r.body());

        List<String> route = new ArrayList<>(List.of("route", "explain", "--config", config.toString(), "--path", c.path(),
                "--json"));
        if (c.host() != null) {
            route.addAll(List.of("--host", c.host()));
        }
        assertThat(page.get("route")).as("route explain").isEqualTo(cli(route));

        String peer = c.peer() != null ? c.peer() : c.ip();
        List<String> clientIp = new ArrayList<>(List.of("client-ip", "explain", "--config", config.toString(), "--peer",
                peer, "--json"));
        c.headers().forEach(h -> clientIp.addAll(List.of("-H", h)));
        JsonNode cliClient = cli(clientIp);
        assertThat(page.get("client_ip")).as("client-ip explain").isEqualTo(cliClient);

        if (cliClient.get("rejection").isNull()) {
            List<String> check = new ArrayList<>(List.of("policy", "check", "--config", config.toString(), "--org", "Acme",
                    "--ip", cliClient.get("client").asText(), "--json"));
            if (c.account() != null) {
                check.addAll(List.of("--account", c.account()));
            }
            JsonNode cliPolicy = cli(check);
            assertThat(page.get("policy")).as("policy check").isEqualTo(cliPolicy);

            String html = ConsoleIT.page(console, "/why?" + c.query()).body();
            assertThat(html).contains(escape(cliPolicy.get("reason").asText()));
            for (JsonNode candidate : page.get("route").get("routes")) {
                assertThat(html).contains(escape(candidate.get("verdict").asText()));
            }
            for (JsonNode p : cliPolicy.get("applicable_policies")) {
                assertThat(html).contains(escape(p.get("policy").asText()));
            }
        } else {
            assertThat(page.get("policy").isNull()).as("no policy is checked for a refused request").isTrue();
            assertThat(ConsoleIT.page(console, "/why?" + c.query()).body())
                    .contains("refused (400): " + escape(cliClient.get("rejection").asText()));
        }
    }

    /** What the command prints, parsed; every command here must succeed or say no with exit 1, never a usage error. */
    static JsonNode cli(List<String> args) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AdminMain.run(new PrintWriter(out, true), new PrintWriter(err, true), Map.of(), args.toArray(String[]::new));
        assertThat(code).as(args + ": " + err).isIn(0, 1);
        return mapper.readTree(out.toString());
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
