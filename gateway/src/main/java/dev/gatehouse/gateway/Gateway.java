package dev.gatehouse.gateway;

import com.typesafe.config.Config;
import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.db.DatabaseSettings;
import dev.gatehouse.core.db.Migrations;
import dev.gatehouse.gateway.config.GatewaySettings;
import dev.gatehouse.gateway.config.Route;
import dev.gatehouse.gateway.config.Upstream;
import dev.gatehouse.gateway.demo.DemoUpstream;
import dev.gatehouse.gateway.server.GatewayServer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: database (migrated or checked), the demo upstream when no route is
 * configured, and the listener. Start-up order is the order of the fields; close() reverses it.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final Database database;
    private final DemoUpstream demo;
    private final GatewayServer server;
    private final GatewaySettings settings;

    private Gateway(Database database, DemoUpstream demo, GatewayServer server, GatewaySettings settings) {
        this.database = database;
        this.demo = demo;
        this.server = server;
        this.settings = settings;
    }

    /** Starts everything, or fails with a {@link dev.gatehouse.core.GatehouseException} and leaves nothing running. */
    public static Gateway start(Config config) throws InterruptedException {
        GatewaySettings settings = GatewaySettings.from(config);
        DatabaseSettings dbSettings = DatabaseSettings.from(config);
        Database database = Database.open(dbSettings, "gatehouse-gateway");
        DemoUpstream demo = null;
        try {
            prepareSchema(database, dbSettings.externalMigration());
            if (settings.routes().isEmpty()) {
                demo = DemoUpstream.start(0);
                settings = settings.withRoutes(List.of(new Route("/", List.of(new Upstream("127.0.0.1", demo.port(), "")),
                        false, settings.maxBodySize())));
                log.info("No route configured: forwarding / to the built-in demo upstream on 127.0.0.1:{}", demo.port());
            }
            GatewayServer server = GatewayServer.start(settings);
            log.info("Gatehouse listening on http://{}:{} (database: {})", settings.listenHost(), server.port(),
                    database.description());
            for (Route r : settings.routes()) {
                log.info("  route {} -> {}{}", r.prefix(), r.upstreams(), r.stripPrefix() ? " (prefix stripped)" : "");
            }
            return new Gateway(database, demo, server, settings);
        } catch (RuntimeException | InterruptedException e) {
            if (demo != null) {
                demo.close();
            }
            database.close();
            throw e;
        }
    }

    private static void prepareSchema(Database database, boolean external) {
        Migrations migrations = new Migrations(database.dataSource());
        if (external) {
            try {
                migrations.requireCurrent();
            } catch (GatehouseException e) {
                throw new GatehouseException("EXTERNAL_MIGRATION is set and " + e.getMessage(), e);
            }
            log.info("EXTERNAL_MIGRATION is set: schema checked, current");
            return;
        }
        for (Migrations.Version v : migrations.migrate()) {
            log.info("Applied migration V{} ({})", v.version(), v.description());
        }
    }

    public int port() {
        return server.port();
    }

    public GatewaySettings settings() {
        return settings;
    }

    public Database database() {
        return database;
    }

    @Override
    public void close() {
        server.close();
        if (demo != null) {
            demo.close();
        }
        database.close();
    }
}
