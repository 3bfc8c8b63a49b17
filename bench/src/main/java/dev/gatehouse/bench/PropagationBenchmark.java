package dev.gatehouse.bench;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.core.admin.Organisations;
import dev.gatehouse.core.admin.Policies;
import dev.gatehouse.core.admin.Recovery;
import dev.gatehouse.core.admin.SsoProviders;
import dev.gatehouse.core.admin.SsoSessions;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.net.Cidr;
import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.gateway.sso.session.Session;
import dev.gatehouse.gateway.sso.session.Sessions;
import dev.gatehouse.gateway.sso.session.SharedKeys;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Policy propagation, commit to enforced: two gateway processes on one PostgreSQL, a client probing
 * each of them without pause over a kept-alive connection, and a series of policy changes made
 * through the same code {@code gatehouse-admin policy update} runs. Each change toggles whether the
 * probe's address (198.51.100.7, given by a trusted X-Forwarded-For) is allowed; the time from the
 * change's commit to the first response at each gateway carrying the new decision is recorded. Probes
 * send a request every half millisecond ({@code -Dprobe.pace.micros=N}), the measurement's resolution.
 *
 * <p>With {@code -Dpropagation.of=revoke}, a session is revoked ({@code sso revoke --account}) and the time until both
 * gateways refuse it is measured.
 *
 * <p>With {@code -Dpropagation.of=sso}, what propagates is single sign-on's break-glass: the organisation requires
 * sign-in (an enabled provider; the probe has no session, so it gets 401) and each change turns enforcement off
 * ({@code disable-org-sso --disable-enforcement}'s code: the probe gets 200) or on again ({@code sso require}'s).
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.gatehouse.bench.PropagationBenchmark
 * [changes] [background-cidrs]} (default 100 changes, 10 000 CIDRs in other organisations' policies,
 * so each reload carries a realistic snapshot). {@code -Dgateway.jar=...} names the gateway's jar
 * (default {@code gateway/target/gatehouse-gateway.jar}); {@code -Dgateway.logback=FILE} gives the gateways a
 * logback configuration. Runs its own embedded PostgreSQL 17.
 */
public final class PropagationBenchmark {
    private static final String PROBE_IP = "198.51.100.7";
    private static final Cidr PROBE_NET = Cidr.parse("198.51.100.0/24");
    /**
     * Pause between a probe's requests: its resolution. Probing flat out would measure two saturated
     * gateways on a two-core machine rather than propagation.
     */
    private static final long PACE_NANOS = Long.getLong("probe.pace.micros", 500) * 1000;
    /** policy (the default), sso or revoke: what each change toggles. */
    private static final String OF = System.getProperty("propagation.of", "policy");
    private static final boolean SSO = OF.equals("sso") || OF.equals("revoke");
    private static final boolean REVOKE = OF.equals("revoke");

    public static void main(String[] args) throws Exception {
        int changes = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int background = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        Path jar = GatewayProcesses.jar();
        Path work = Files.createTempDirectory("gatehouse-propagation");
        System.out.println("gateway logs in " + work);
        HttpServer upstream = OkUpstream.start(1);
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            try (Database db = GatewayProcesses.migrated(url)) {
                Organisations orgs = new Organisations(db.dataSource(), "bench");
                Policies policies = new Policies(db.dataSource(), "bench");
                orgs.createOrg("Bench", false, null);
                policies.create("Bench", "office", true, List.of(Cidr.parse("203.0.113.0/24")), List.of(), null, true);
                if (SSO) { // the probe's network is allowed; sign-in is what changes
                    policies.update("Bench", "office", null, List.of(PROBE_NET), List.of(), List.of(), true);
                    new SsoProviders(db.dataSource(), "bench").add("Bench",
                            new SsoProviders.NewProvider("idp", "https://idp.example", "bench",
                                    "env:BENCH_SECRET", List.of(), null, false));
                    new SsoProviders(db.dataSource(), "bench").require("Bench", true);
                    orgs.createAccount("Bench", "alice", "member", "member", "alice@bench.test");
                }
                seedBackground(orgs, policies, background);

                List<Process> gateways = new ArrayList<>();
                List<StatusProbe> probes = new ArrayList<>();
                try {
                    for (int g = 0; g < 2; g++) {
                        int port = GatewayProcesses.freePort();
                        int mgmt = GatewayProcesses.freePort();
                        Path conf = work.resolve("gateway-" + g + ".conf");
                        Files.writeString(conf, "gatehouse {\n"
                                + "  listen { host = \"127.0.0.1\", port = " + port + " }\n"
                                + "  server.event-loop-threads = 1\n"
                                + "  management { host = \"127.0.0.1\", port = " + mgmt + " }\n"
                                + "  audit { enabled = false, spool-dir = \"" + work.resolve("spool-" + g) + "\" }\n"
                                + "  database { url = \"" + url + "\", user = \"postgres\", password = \"\" }\n"
                                + "  client-ip { trusted-proxies = [\"127.0.0.1\"], headers = [\"X-Forwarded-For\"] }\n"
                                + "  routes = [ { prefix = \"/\", upstream = \"http://127.0.0.1:"
                                + upstream.getAddress().getPort() + "\", org = \"Bench\" } ]\n"
                                + "}\n");
                        List<String> command = new ArrayList<>(List.of("java", "-Xmx256m"));
                        if (System.getProperty("gateway.logback") != null) { // e.g. PolicyService at DEBUG: reload times
                            command.add("-Dlogback.configurationFile=" + System.getProperty("gateway.logback"));
                        }
                        command.addAll(List.of("-jar", jar.toString(), "--config", conf.toString()));
                        gateways.add(new ProcessBuilder(command).redirectErrorStream(true)
                                .redirectOutput(work.resolve("gateway-" + g + ".log").toFile()).start());
                        GatewayProcesses.awaitReady(mgmt, gateways.get(g));
                        probes.add(new StatusProbe(port, PROBE_IP, PACE_NANOS));
                    }
                    probes.forEach(p -> p.thread.start());
                    for (StatusProbe p : probes) {
                        p.awaitStatus(SSO ? 401 : 403, 10_000_000_000L); // not signed in / not allowed yet
                    }
                    if (REVOKE) {
                        runRevoke(db, probes, changes);
                    } else if (SSO) {
                        runSso(db, probes, changes);
                    } else {
                        run(policies, probes, changes);
                    }
                } finally {
                    probes.forEach(StatusProbe::stop);
                    gateways.forEach(Process::destroy);
                    for (Process p : gateways) {
                        p.waitFor();
                    }
                }
            }
        } finally {
            upstream.stop(0);
        }
    }

    private static void run(Policies policies, List<StatusProbe> probes, int changes) throws Exception {
        long[][] perGateway = new long[probes.size()][changes];
        long[] everywhere = new long[changes];
        long[] commitTimes = new long[changes];
        Random pause = new Random(42);
        for (int i = 0; i < changes; i++) {
            boolean allow = i % 2 == 0;
            long before = System.nanoTime();
            if (allow) {
                policies.update("Bench", "office", null, List.of(PROBE_NET), List.of(), List.of(), true);
            } else {
                policies.update("Bench", "office", null, List.of(), List.of(), List.of(PROBE_NET), true);
            }
            long committed = System.nanoTime();
            commitTimes[i] = committed - before;
            int want = allow ? 200 : 403;
            long latest = 0;
            for (int g = 0; g < probes.size(); g++) {
                long at = probes.get(g).awaitStatus(want, 10_000_000_000L);
                perGateway[g][i] = at - committed;
                latest = Math.max(latest, at - committed);
            }
            everywhere[i] = latest;
            Thread.sleep(20 + pause.nextInt(100)); // changes arrive apart, as an operator's do
        }
        System.out.printf("%d policy changes, two gateways; commit itself: p50 %.1f ms%n", changes,
                pct(commitTimes, 50) / 1e6);
        for (int g = 0; g < probes.size(); g++) {
            report("gateway " + (g + 1), perGateway[g]);
        }
        report("both gateways", everywhere);
    }

    /** Break-glass and back: enforcement off (the probe, without a session, gets 200), then on (401). */
    private static void runSso(Database db, List<StatusProbe> probes, int changes) throws Exception {
        Recovery recovery = new Recovery(db.dataSource(), "bench");
        SsoProviders sso = new SsoProviders(db.dataSource(), "bench");
        long[][] perGateway = new long[probes.size()][changes];
        long[] everywhere = new long[changes];
        Random pause = new Random(42);
        for (int i = 0; i < changes; i++) {
            boolean off = i % 2 == 0;
            if (off) {
                recovery.disableSso("Bench", false);
            } else {
                sso.require("Bench", true);
            }
            long committed = System.nanoTime();
            long latest = 0;
            for (int g = 0; g < probes.size(); g++) {
                long at = probes.get(g).awaitStatus(off ? 200 : 401, 10_000_000_000L);
                perGateway[g][i] = at - committed;
                latest = Math.max(latest, at - committed);
            }
            everywhere[i] = latest;
            Thread.sleep(20 + pause.nextInt(100));
        }
        System.out.printf("%d SSO enforcement changes (break-glass off, then on again), two gateways%n", changes);
        for (int g = 0; g < probes.size(); g++) {
            report("gateway " + (g + 1), perGateway[g]);
        }
        report("both gateways", everywhere);
    }

    /**
     * Revocation: each round, the probes present a session issued now (200 on both gateways), then the account's
     * sessions are revoked ({@code gatehouse-admin sso revoke --account}'s code) and the time until both refuse it
     * (401) is measured.
     */
    private static void runRevoke(Database db, List<StatusProbe> probes, int changes) throws Exception {
        SsoSessions revoke = new SsoSessions(db.dataSource(), "bench");
        SsoProviders.Provider p = new SsoProviders(db.dataSource(), "bench").list("Bench").get(0);
        PolicySnapshot.SsoProvider sp = new PolicySnapshot.SsoProvider(p.id(), p.name(), p.issuer(), p.clientId(),
                p.clientSecretRef(), p.allowedDomains(), null, false, true, null);
        UUID org;
        UUID account;
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT o.id, a.id FROM organisations o JOIN accounts a ON a.org_id = o.id"
                     + " WHERE o.name = 'Bench' AND a.name = 'alice'")) {
            rs.next();
            org = (UUID) rs.getObject(1);
            account = (UUID) rs.getObject(2);
        }
        try (SharedKeys<SecretKey> keys = new SharedKeys<>(db, "session", Duration.ofDays(1), Duration.ofHours(8),
                SharedKeys::randomSecret, m -> new SecretKeySpec(Base64.getUrlDecoder().decode(m), "AES"), null)) {
            keys.refresh(); // the key the gateways wrote at their start
            Sessions sessions = new Sessions(keys, Duration.ofHours(1));
            long[][] perGateway = new long[probes.size()][changes];
            long[] everywhere = new long[changes];
            Random pause = new Random(42);
            for (int i = 0; i < changes; i++) {
                Thread.sleep(5); // a session issued after the last revocation instant
                Instant now = Instant.now();
                String cookie = "__Host-gatehouse=" + sessions.seal(new Session(UUID.randomUUID().toString(), org, account,
                        p.id(), Sessions.fingerprint(sp), "alice@bench.test", now, now, now.plus(Duration.ofHours(8))));
                for (StatusProbe probe : probes) {
                    probe.cookie = cookie;
                }
                for (StatusProbe probe : probes) {
                    probe.awaitStatus(200, 10_000_000_000L);
                }
                revoke.revoke("Bench", "alice");
                long committed = System.nanoTime();
                long latest = 0;
                for (int g = 0; g < probes.size(); g++) {
                    long at = probes.get(g).awaitStatus(401, 10_000_000_000L);
                    perGateway[g][i] = at - committed;
                    latest = Math.max(latest, at - committed);
                }
                everywhere[i] = latest;
                Thread.sleep(20 + pause.nextInt(100));
            }
            System.out.printf("%d revocations (sso revoke --account), two gateways%n", changes);
            for (int g = 0; g < probes.size(); g++) {
                report("gateway " + (g + 1), perGateway[g]);
            }
            report("both gateways", everywhere);
        }
    }

    private static void report(String what, long[] nanos) {
        System.out.printf("%-14s commit -> enforced: p50 %6.1f ms  p90 %6.1f ms  p99 %6.1f ms  max %6.1f ms%n", what,
                pct(nanos, 50) / 1e6, pct(nanos, 90) / 1e6, pct(nanos, 99) / 1e6, pct(nanos, 100) / 1e6);
    }

    /** Nearest-rank percentile. */
    static long pct(long[] values, double p) {
        long[] v = values.clone();
        Arrays.sort(v);
        int rank = (int) Math.ceil(p / 100.0 * v.length);
        return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
    }

    /** Other organisations' policies, so each reload loads a snapshot of realistic size. */
    private static void seedBackground(Organisations orgs, Policies policies, int cidrs) {
        Random r = new Random(7);
        int perOrg = 100;
        for (int o = 0; o * perOrg < cidrs; o++) {
            String org = "Tenant" + o;
            orgs.createOrg(org, false, null);
            List<Cidr> nets = new ArrayList<>();
            while (nets.size() < Math.min(perOrg, cidrs - o * perOrg)) {
                Cidr c = Cidr.parse((11 + r.nextInt(88)) + "." + r.nextInt(256) + "." + r.nextInt(256) + ".0/24");
                if (!nets.contains(c)) {
                    nets.add(c);
                }
            }
            policies.create(org, "offices", true, nets, List.of(), null, true);
        }
    }
}
