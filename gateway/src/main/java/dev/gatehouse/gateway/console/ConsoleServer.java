package dev.gatehouse.gateway.console;

import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.core.route.Route;
import dev.gatehouse.gateway.audit.AuditWriter;
import dev.gatehouse.gateway.clientip.TrustedHops;
import dev.gatehouse.gateway.config.ConsoleSettings;
import dev.gatehouse.gateway.sso.SingleSignOn;
import dev.gatehouse.gateway.timers.DaemonScheduler;
import dev.gatehouse.gateway.transport.SmallHttpServer;
import dev.gatehouse.gateway.transport.Transport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The operator console's listener ({@code gatehouse.console}): read-only pages of what the gateway decides and why,
 * on a port of its own with one event loop, never the public listener's. Its pages read the database through a pool
 * of their own ({@link #POOL_SIZE} connections, each statement cut after {@link #STATEMENT_TIMEOUT}), on
 * {@link #PAGE_THREADS} threads: a slow console query never holds a connection or a thread the proxy needs.
 */
public final class ConsoleServer implements AutoCloseable {
    static final int PAGE_THREADS = 2;
    /** One connection per page thread, and one for the live tails' thread: a slow page never starves a tail. */
    static final int POOL_SIZE = PAGE_THREADS + 1;
    static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(10);
    /** Pages waiting for a thread; beyond, 503. */
    static final int PAGE_QUEUE = 32;

    /**
     * What the console reads: the gateway's database (for its own pool), policy snapshot, audit writer (null when the
     * audit log is off), trust in forwarding headers, sign-in, and routes.
     */
    public record Sources(Database database, Supplier<PolicySnapshot> snapshots, AuditWriter audit, TrustedHops hops,
                          SingleSignOn sso, List<Route> routes) {
    }

    private final SmallHttpServer server;
    private final ThreadPoolExecutor pageThreads;
    private final Database pool;
    private final DenialTail tail;

    private ConsoleServer(SmallHttpServer server, ThreadPoolExecutor pageThreads, Database pool, DenialTail tail) {
        this.server = server;
        this.pageThreads = pageThreads;
        this.pool = pool;
        this.tail = tail;
    }

    /** Binds the console; a sign-in organisation that cannot sign anyone in refuses the start (one line). */
    public static ConsoleServer start(Transport transport, ConsoleSettings settings, Sources sources) {
        ConsoleAccess access = new ConsoleAccess(settings, sources.hops(), sources.snapshots(), sources.sso());
        access.checkSignInOrg();
        Database pool = sources.database().secondaryPool("gatehouse-console", POOL_SIZE, STATEMENT_TIMEOUT);
        ThreadPoolExecutor threads = new ThreadPoolExecutor(PAGE_THREADS, PAGE_THREADS, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(PAGE_QUEUE), DaemonScheduler.threads("gatehouse-console", true));
        ConsolePages pages = new ConsolePages(sources, pool.dataSource());
        DenialTail tail = pages.tail(access);
        try {
            ConsoleGate gate = new ConsoleGate(settings);
            SmallHttpServer server = SmallHttpServer.start(transport, "gatehouse.console", settings.host(),
                    settings.port(), 8192, gate::install, new ConsoleHandler(access, pages, tail, threads));
            return new ConsoleServer(server, threads, pool, tail);
        } catch (RuntimeException e) {
            tail.close();
            threads.shutdownNow();
            pool.close();
            throw e;
        }
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
        tail.close();
        pageThreads.shutdownNow();
        pool.close();
    }
}
