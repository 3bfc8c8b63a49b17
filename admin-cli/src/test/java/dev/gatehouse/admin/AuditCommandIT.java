package dev.gatehouse.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.Fixtures;
import dev.gatehouse.core.testing.TestDatabase;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** "Why was I denied" without SQL: audit search and tail. */
class AuditCommandIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();

    TestDatabase d;
    String url;
    UUID acme;
    UUID alice;
    UUID office;

    @BeforeEach
    void seed() {
        d = db.database();
        d.update("TRUNCATE organisations, access_events CASCADE");
        Fixtures f = new Fixtures(d);
        acme = f.org("Acme");
        UUID beta = f.org("Beta");
        alice = f.account(acme, "alice", "member", "admin");
        office = f.policy(acme, "office", true, "allow 203.0.113.0/24");
        event(acme, alice, "203.0.113.5", "allow", "2 hours", "req-old");
        event(acme, alice, "198.51.100.7", "deny", "10 minutes", "req-denied");
        event(acme, null, "203.0.113.9", "allow", "5 minutes", "req-recent");
        event(beta, null, "198.51.100.7", "deny", "1 minute", "req-beta");
        url = d.jdbcUrl() + (d.jdbcUrl().contains("?") ? "&" : "?") + "user=" + d.user() + "&password=" + d.password();
    }

    private void event(UUID org, UUID account, String ip, String decision, String ago, String requestId) {
        d.update("INSERT INTO access_events (ts, event_id, org_id, account_id, client_ip, method, path, status, decision,"
                + " policy_id, request_id) VALUES (now() - ?::interval, gen_random_uuid(), ?, ?, ?::inet, 'GET', '/x', ?, ?,"
                + " ?, ?)", ago, org, account, ip, decision.equals("deny") ? 403 : 200, decision,
                decision.equals("deny") ? office : null, requestId);
    }

    private CliRun admin(String... args) {
        return CliRun.of(java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--database-url", url)).toArray(String[]::new));
    }

    @Test
    void searchFindsWhyARequestWasDenied() {
        CliRun denied = admin("audit", "search", "--org", "Acme", "--decision", "deny");
        assertThat(denied.code()).as(denied.err()).isEqualTo(0);
        assertThat(denied.out()).contains("198.51.100.7").contains("deny").contains("office").contains("alice")
                .contains("req-denied").doesNotContain("req-beta").doesNotContain("req-recent");

        CliRun found = admin("audit", "search", "--org", "Acme", "--request-id", "req-denied", "--json");
        assertThat(found.values("client_ip")).containsExactly("198.51.100.7");
        assertThat(found.values("policy")).containsExactly("office");
        assertThat(java.time.Instant.parse(found.values("time").get(0))).isBefore(java.time.Instant.now());
        assertThat(admin("audit", "search", "--org", "Acme", "--since", "1h").out())
                .contains("req-denied").contains("req-recent").doesNotContain("req-old");
        assertThat(admin("audit", "search", "--org", "Acme", "--ip", "203.0.113.0/24", "--since", "1d").out())
                .contains("req-old").contains("req-recent").doesNotContain("req-denied");
        assertThat(admin("audit", "search", "--org", "Acme", "--account", "alice", "--limit", "1", "--since", "1d").out())
                .contains("req-denied").doesNotContain("req-old");
    }

    @Test
    void badArgumentsAreOneLineAndExitTwo() {
        CliRun r = admin("audit", "search", "--org", "Acme", "--since", "yesterday");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--since: 'yesterday' is not a duration");
        assertThat(admin("audit", "search", "--org", "Acme", "--ip", "10.0.0.1/8").err()).contains("host bits set");
        assertThat(admin("audit", "search", "--org", "Acme", "--decision", "maybe").code()).isEqualTo(2);
        assertThat(admin("audit", "search", "--org", "Nope").code()).isEqualTo(1);
    }

    @Test
    void tailFollowsNewEvents() throws Exception {
        CompletableFuture<CliRun> tail = CompletableFuture.supplyAsync(
                () -> admin("audit", "tail", "--org", "Acme", "--for", "4s", "--json"));
        Thread.sleep(1500);
        event(acme, null, "192.0.2.44", "allow", "0 seconds", "req-live");
        CliRun r = tail.get();
        assertThat(r.code()).as(r.err()).isEqualTo(0);
        java.util.List<String> seen = new java.util.ArrayList<>();
        for (String line : r.out().split("\n")) { // one JSON document a line, as they come
            seen.add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(line).get("request_id").asText());
        }
        assertThat(seen).contains("req-live").doesNotContain("req-denied");
    }
}
