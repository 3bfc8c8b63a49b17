package dev.gatehouse.core.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteMapTest {
    /** Each route's upstream port is its number, so a match names the route it found. */
    static final List<Route> ROUTES = Routes.from(ConfigFactory.parseString("""
            routes = [
              { prefix = "/",    upstream = "http://127.0.0.1:1" }
              { prefix = "/api", upstream = "http://127.0.0.1:2" }
              { hosts = ["acme.example.com"], prefix = "/", upstream = "http://127.0.0.1:3" }
              { hosts = ["*.example.com"], prefix = "/", upstream = "http://127.0.0.1:4" }
              { hosts = ["*.example.com", "example.org"], prefix = "/admin", upstream = "http://127.0.0.1:5" }
              { hosts = ["*.eu.example.com"], prefix = "/", upstream = "http://127.0.0.1:6" }
              { hosts = ["globex.example.com"], prefix = "/api", upstream = "http://127.0.0.1:7" }
              { hosts = ["[2001:db8::5]", "10.0.0.5"], prefix = "/", upstream = "http://127.0.0.1:8" }
            ]"""), 1024);

    static final RouteMap<Integer> MAP = new RouteMap<>(ROUTES, r -> r.upstreams().get(0).port());

    @ParameterizedTest(name = "{0} {1} -> route {2}")
    @CsvSource(nullValues = "NULL", value = {
            "acme.example.com, /, 3",             // exact host
            "ACME.Example.com:8443, /x?q=1, 3",   // port and case do not matter
            "acme.example.com., /, 3",            // nor a trailing dot
            "acme.example.com, /admin, 3",        // exact beats wildcard, even with a longer prefix
            "globex.example.com, /api/v1, 7",     // exact host, longest prefix
            "globex.example.com, /other, 4",      // the exact host's routes miss the path: on to the wildcard
            "initech.example.com, /admin/x, 5",   // wildcard, longest prefix
            "initech.example.com, /, 4",
            "a.eu.example.com, /, 6",             // the longest wildcard first
            "a.eu.example.com, /admin, 6",        // ... whatever the prefix
            "example.com, /api, 2",               // *.example.com is not example.com itself: any-host routes
            "example.org, /admin, 5",
            "example.org, /, 1",
            "other.test, /api/x, 2",
            "NULL, /api, 2",                      // HTTP/1.0 without a Host
            "'[2001:DB8:0::5]:443', /, 8",        // an IPv6 literal in any spelling
            "10.0.0.5:80, /, 8",
            "badexample.com, /, 1"})              // a suffix at a label boundary only
    void hostThenLongestPrefix(String host, String uri, int route) {
        assertThat(MAP.match(host, uri)).isEqualTo(route);
        RouteExplanation e = RouteExplanation.of(ROUTES, host, uri);
        assertThat(e.winner()).as("explain agrees with the match").isEqualTo(route - 1);
        assertThat(e.routes().get(route - 1).verdict()).startsWith("WINS");
        assertThat(e.routes()).filteredOn(c -> c.verdict().startsWith("WINS")).hasSize(1);
    }

    @Test
    void withoutHostRoutesTheHostIsNeverRead() {
        RouteMap<String> plain = new RouteMap<>(List.of(new Route("/a", List.of(Upstream.parse("http://h:1")), false, 1,
                RouteBinding.NONE)), Route::prefix);
        assertThat(plain.byHost()).isFalse();
        assertThat(plain.match("anything", "/a/b")).isEqualTo("/a");
        assertThat(plain.match("anything", "/ab")).isNull();
        assertThat(MAP.byHost()).isTrue();
    }

    @Test
    void noRouteIsExplained() {
        List<Route> only = Routes.from(ConfigFactory.parseString(
                "routes = [{ hosts = [\"acme.example.com\"], prefix = \"/api\", upstream = \"http://127.0.0.1:1\" }]"), 1);
        assertThat(new RouteMap<>(only, r -> r).match("acme.example.com", "/web")).isNull();
        RouteExplanation e = RouteExplanation.of(only, "other.example.com", "/api");
        assertThat(e.winner()).isNull();
        assertThat(e.routes().get(0).verdict()).isEqualTo("host other.example.com is not among its hosts");
        assertThat(RouteExplanation.of(only, "acme.example.com", "/web?x=/api").routes().get(0).verdict())
                .isEqualTo("path /web is not under /api");
    }

    @Test
    void aLosingMatchSaysWhatBeatIt() {
        RouteExplanation e = RouteExplanation.of(ROUTES, "acme.example.com", "/admin");
        assertThat(e.routes().get(4).verdict()).isEqualTo("matches (wildcard *.example.com, prefix /admin (6 characters))"
                + " but loses to routes[2]: exact host with prefix / beats wildcard *.example.com with prefix /admin");
        assertThat(e.routes().get(0).verdict()).contains("loses to routes[2]");
    }

    @Test
    void labelsNameTheFirstHost() {
        assertThat(ROUTES.stream().map(Route::label).toList()).containsExactly("/", "/api", "acme.example.com/",
                "*.example.com/", "*.example.com/admin", "*.eu.example.com/", "globex.example.com/api", "[2001:db8::5]/");
    }
}
