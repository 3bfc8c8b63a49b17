package dev.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** route explain on a multi-tenant configuration: hosts, wildcards and routes for any host. */
class RouteCommandTest {
    @TempDir
    Path dir;

    private Path config() throws Exception {
        Path f = dir.resolve("gatehouse.conf");
        Files.writeString(f, """
                gatehouse.routes = [
                  { prefix = "/", upstream = "http://127.0.0.1:3000" }
                  { hosts = ["acme.example.com"], prefix = "/", upstream = "http://10.0.1.5:4000", org = "Acme" }
                  { hosts = ["*.example.com"], prefix = "/api", upstream = "http://10.0.1.6:4000", identify = token }
                ]
                """);
        return f;
    }

    @Test
    void theExactHostWinsAndEveryRouteSaysWhy() throws Exception {
        CliRun r = CliRun.of("route", "explain", "--config", config().toString(), "--host", "Acme.Example.com:443",
                "--path", "/api/v1?x=1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out())
                .containsPattern("routes\\[0\\]\\s+\\*\\s+/\\s+matches \\(any host, prefix / \\(1 characters\\)\\) but loses to routes\\[1\\]")
                .containsPattern("routes\\[1\\]\\s+acme\\.example\\.com\\s+/\\s+WINS: exact host acme\\.example\\.com")
                .containsPattern("routes\\[2\\]\\s+\\*\\.example\\.com\\s+/api\\s+matches \\(wildcard \\*\\.example\\.com")
                .endsWith("host acme.example.com, path /api/v1: routes[1] -> [http://10.0.1.5:4000] (org Acme)\n");
    }

    @Test
    void aWildcardHostAsJson() throws Exception {
        CliRun r = CliRun.of("route", "explain", "-c", config().toString(), "--host", "globex.example.com",
                "--path", "/api", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertThat(doc.get("winner").asInt()).isEqualTo(2);
        assertThat(doc.get("host").asText()).isEqualTo("globex.example.com");
        assertThat(doc.get("binding").asText()).isEqualTo("organisation from the API token, API token required");
        assertThat(doc.get("routes").get(1).get("verdict").asText())
                .isEqualTo("host globex.example.com is not among its hosts");
    }

    @Test
    void noRouteExits1() throws Exception {
        Path f = dir.resolve("only.conf");
        Files.writeString(f, "gatehouse.routes = [ { hosts = [\"acme.example.com\"], prefix = \"/\", upstream = demo } ]\n");
        CliRun r = CliRun.of("route", "explain", "-c", f.toString(), "--host", "other.test", "--path", "/");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).endsWith("host other.test, path /: no route matches; the gateway answers 404.\n");
        CliRun none = CliRun.of("route", "explain", "-c", f.toString(), "--path", "/");
        assertThat(none.out()).endsWith("host (none), path /: no route matches; the gateway answers 404.\n");
    }

    @Test
    void withoutRoutesTheDemoUpstreamTakesEverything() throws Exception {
        Path f = dir.resolve("empty.conf");
        Files.writeString(f, "gatehouse.routes = []\n");
        CliRun r = CliRun.of("route", "explain", "-c", f.toString(), "--host", "x.test", "--path", "/");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("built-in demo upstream");
    }

    @Test
    void usageErrors() throws Exception {
        String c = config().toString();
        CliRun path = CliRun.of("route", "explain", "-c", c, "--path", "api");
        assertThat(path.code()).isEqualTo(2);
        assertThat(path.err()).startsWith("gatehouse-admin: --path: expected a path starting with '/', got 'api'");
        CliRun host = CliRun.of("route", "explain", "-c", c, "--host", "acme.example.com:x", "--path", "/");
        assertThat(host.code()).isEqualTo(2);
        assertThat(host.err()).startsWith("gatehouse-admin: --host: 'acme.example.com:x' is not a host[:port], as a Host"
                + " header must be");
        assertThat(CliRun.of("route", "explain", "-c", c, "--host", "user@acme.example.com", "--path", "/").code()).isEqualTo(2);
        assertThat(CliRun.of("route", "explain", "-c", c, "--host", "[2001:db8::5", "--path", "/").code()).isEqualTo(2);
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "gatehouse.routes = [ { hosts = [\"a.example.com:80\"], prefix = \"/\", upstream = demo } ]\n");
        CliRun config = CliRun.of("route", "explain", "-c", bad.toString(), "--path", "/");
        assertThat(config.code()).isEqualTo(2);
        assertThat(config.err()).contains("gatehouse.routes[0].hosts: 'a.example.com:80': a host is written without a port");
        assertThat(CliRun.of("route").code()).isEqualTo(2);
    }
}
