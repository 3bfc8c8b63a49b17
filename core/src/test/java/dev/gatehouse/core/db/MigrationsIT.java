package dev.gatehouse.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.core.testing.TestDatabases;
import org.junit.jupiter.api.Test;

class MigrationsIT {

    @Test
    void migratesAnEmptyDatabaseAndReportsEveryVersionApplied() {
        TestDatabase db = TestDatabases.createEmpty("migrate");
        try {
            Migrations m = new Migrations(db.dataSource());
            assertThat(m.pending()).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
            assertThatThrownBy(m::requireCurrent)
                    .isInstanceOf(GatehouseException.class)
                    .hasMessageContaining("schema is behind this Gatehouse (pending: V1, V2, V3, V4, V5, V6, V7, V8, V9, V10)")
                    .hasMessageContaining("gatehouse-admin migrate");

            assertThat(m.migrate()).extracting(Migrations.Version::version).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
            assertThat(m.pending()).isEmpty();
            assertThat(m.info()).extracting(Migrations.Version::version, Migrations.Version::state)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("1", "Success"),
                            org.assertj.core.groups.Tuple.tuple("2", "Success"),
                            org.assertj.core.groups.Tuple.tuple("3", "Success"),
                            org.assertj.core.groups.Tuple.tuple("4", "Success"), org.assertj.core.groups.Tuple.tuple("5", "Success"),
                            org.assertj.core.groups.Tuple.tuple("6", "Success"),
                            org.assertj.core.groups.Tuple.tuple("7", "Success"),
                            org.assertj.core.groups.Tuple.tuple("8", "Success"),
                            org.assertj.core.groups.Tuple.tuple("9", "Success"),
                            org.assertj.core.groups.Tuple.tuple("10", "Success"));
            m.requireCurrent();
            assertThat(m.migrate()).isEmpty(); // idempotent
        } finally {
            TestDatabases.drop(db);
        }
    }

    /** An installation at V1 with audit rows: V2 keeps every row and leaves no unique index on the audit log. */
    @Test
    void v2DropsTheAuditKeyOnAV1DatabaseKeepingItsRows() {
        TestDatabase db = TestDatabases.createEmpty("v1-upgrade");
        try {
            org.flywaydb.core.Flyway.configure(Migrations.class.getClassLoader()).dataSource(db.dataSource())
                    .locations("classpath:db/migration").target("1").load().migrate();
            db.update("INSERT INTO access_events (ts, event_id, client_ip, decision)"
                    + " SELECT now() - i * interval '1 hour', gen_random_uuid(), '192.0.2.1', 'allow'"
                    + " FROM generate_series(0, 99) i");
            String uniqueIndexes = "SELECT count(*) FROM pg_index x JOIN pg_inherits i ON i.inhrelid = x.indrelid"
                    + " WHERE i.inhparent = 'access_events'::regclass AND x.indisunique";
            assertThat((Long) db.queryValue(uniqueIndexes)).as("V1: a key per partition").isPositive();

            assertThat(new Migrations(db.dataSource()).migrate()).extracting(Migrations.Version::version)
                    .containsExactly("2", "3", "4", "5", "6", "7", "8", "9", "10");
            assertThat(db.queryValue("SELECT count(*) FROM access_events")).isEqualTo(100L);
            assertThat(db.queryValue("SELECT gatehouse_ensure_access_event_partitions(current_date + 40, 2)")).isEqualTo(2);
            assertThat((Long) db.queryValue(uniqueIndexes)).as("none left, none on new partitions").isZero();
            assertThat((Long) db.queryValue("SELECT count(*) FROM pg_indexes WHERE tablename = 'access_events'"))
                    .as("the (org_id, ts) and (app_id, ts) indexes stay").isEqualTo(2L);
        } finally {
            TestDatabases.drop(db);
        }
    }

    /**
     * An installation at V2 made by a process in New York (partitions bounded at local midnight, rows in the default
     * partition): V3 realigns every partition on UTC days without losing a row.
     */
    @Test
    void v3RealignsPartitionsMadeInAnotherZoneKeepingEveryRow() throws Exception {
        TestDatabase db = TestDatabases.createEmpty("v2-upgrade");
        try {
            javax.sql.DataSource newYork = new javax.sql.DataSource() {
                final javax.sql.DataSource plain = db.dataSource();

                @Override
                public java.sql.Connection getConnection() throws java.sql.SQLException {
                    java.sql.Connection c = plain.getConnection();
                    try (var s = c.createStatement()) {
                        s.execute("SET TIME ZONE 'America/New_York'");
                    }
                    return c;
                }

                @Override
                public java.sql.Connection getConnection(String u, String p) throws java.sql.SQLException {
                    return getConnection();
                }

                @Override
                public java.io.PrintWriter getLogWriter() {
                    return null;
                }

                @Override
                public void setLogWriter(java.io.PrintWriter out) {
                }

                @Override
                public void setLoginTimeout(int seconds) {
                }

                @Override
                public int getLoginTimeout() {
                    return 0;
                }

                @Override
                public java.util.logging.Logger getParentLogger() {
                    return java.util.logging.Logger.getGlobal();
                }

                @Override
                public <T> T unwrap(Class<T> iface) {
                    return null;
                }

                @Override
                public boolean isWrapperFor(Class<?> iface) {
                    return false;
                }
            };
            org.flywaydb.core.Flyway.configure(Migrations.class.getClassLoader()).dataSource(newYork)
                    .locations("classpath:db/migration").target("2").load().migrate();
            try (var c = newYork.getConnection(); var s = c.createStatement()) {
                s.execute("SELECT gatehouse_ensure_access_event_partitions(current_date - 5, 5)");
            }
            db.update("INSERT INTO access_events (ts, event_id, client_ip, decision)"
                    + " SELECT now() - i * interval '17 minutes', gen_random_uuid(), '192.0.2.1', 'allow'"
                    + " FROM generate_series(0, 999) i");
            db.update("CREATE TABLE before_v3 AS SELECT event_id FROM access_events");

            assertThat(new Migrations(db.dataSource()).migrate()).extracting(Migrations.Version::version)
                    .containsExactly("3", "4", "5", "6", "7", "8", "9", "10");

            assertThat(db.queryValue("SELECT count(*) FROM access_events")).isEqualTo(1000L);
            assertThat(db.queryValue("SELECT count(*) FROM before_v3 b WHERE NOT EXISTS"
                    + " (SELECT 1 FROM access_events e WHERE e.event_id = b.event_id)")).isEqualTo(0L);
            assertThat(db.queryValue("SELECT count(*) FROM gatehouse_misaligned_access_event_partitions()")).isEqualTo(0L);
            assertThat(db.queryValue("SELECT count(*) FROM access_events_default")).isEqualTo(0L);
            assertThat(db.queryValue("SELECT bool_and(lower_bound = date_trunc('day', lower_bound AT TIME ZONE 'UTC')"
                    + " AT TIME ZONE 'UTC') FROM gatehouse_access_event_partitions()")).isEqualTo(true);
        } finally {
            TestDatabases.drop(db);
        }
    }

    /**
     * An installation at V7 with a provider: V8 keeps it on the shared callback it was registered with at the provider;
     * a provider added afterwards gets its own (NULL), and nothing else but the shared path is accepted.
     */
    @Test
    void v8KeepsTheSharedCallbackOfProvidersRegisteredBeforeIt() {
        TestDatabase db = TestDatabases.createEmpty("v7-upgrade");
        try {
            org.flywaydb.core.Flyway.configure(Migrations.class.getClassLoader()).dataSource(db.dataSource())
                    .locations("classpath:db/migration").target("7").load().migrate();
            db.update("INSERT INTO organisations (name) VALUES ('Acme')");
            db.update("INSERT INTO accounts (org_id, kind, name) SELECT id, 'member', 'alice' FROM organisations");
            db.update("INSERT INTO sso_providers (org_id, provider_type, name, issuer, client_id, client_secret_ref)"
                    + " SELECT id, 'oidc', 'okta', 'https://idp.example', 'c', 'env:X' FROM organisations");

            assertThat(new Migrations(db.dataSource()).migrate()).extracting(Migrations.Version::version).containsExactly("8", "9", "10");

            assertThat(db.queryValue("SELECT callback_path FROM sso_providers WHERE name = 'okta'"))
                    .isEqualTo("/.gatehouse/callback");
            db.update("INSERT INTO sso_providers (org_id, provider_type, name, issuer, client_id, client_secret_ref)"
                    + " SELECT id, 'oidc', 'entra', 'https://login.example', 'c', 'env:X' FROM organisations");
            assertThat(db.queryValue("SELECT callback_path IS NULL FROM sso_providers WHERE name = 'entra'")).isEqualTo(true);
            assertThatThrownBy(() -> db.update("UPDATE sso_providers SET callback_path = '/elsewhere'"))
                    .hasMessageContaining("sso_providers_callback_path");
            assertThat(db.queryValue("SELECT count(*) FROM organisations WHERE sessions_not_before IS NULL"
                    + " AND sso_break_glass_at IS NULL")).as("never revoked, no break-glass").isEqualTo(1L);
            assertThat(db.queryValue("SELECT count(*) FROM accounts WHERE sessions_not_before IS NULL")).isEqualTo(1L);
        } finally {
            TestDatabases.drop(db);
        }
    }

    /** An installation at V8: V9 gives every organisation a policy version, and its changes a new one. */
    @Test
    void v9GivesEveryOrganisationAVersion() {
        TestDatabase db = TestDatabases.createEmpty("v8-upgrade");
        try {
            org.flywaydb.core.Flyway.configure(Migrations.class.getClassLoader()).dataSource(db.dataSource())
                    .locations("classpath:db/migration").target("8").load().migrate();
            db.update("INSERT INTO organisations (name) VALUES ('Acme'), ('Beta')");

            assertThat(new Migrations(db.dataSource()).migrate()).extracting(Migrations.Version::version).containsExactly("9", "10");

            assertThat(db.queryValue("SELECT count(*) FROM organisations o JOIN policy_versions v ON v.org_id = o.id"))
                    .isEqualTo(2L);
            long before = (Long) db.queryValue("SELECT v.version FROM policy_versions v JOIN organisations o"
                    + " ON o.id = v.org_id WHERE o.name = 'Acme'");
            db.update("UPDATE organisations SET require_sso = true WHERE name = 'Acme'");
            assertThat(db.queryValue("SELECT v.version FROM policy_versions v JOIN organisations o"
                    + " ON o.id = v.org_id WHERE o.name = 'Acme'")).isNotEqualTo(before);
        } finally {
            TestDatabases.drop(db);
        }
    }

    @Test
    void refusesASchemaNewerThanTheBinary() {
        TestDatabase db = TestDatabases.create("future");
        try {
            db.update("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                    + " installed_by, execution_time, success) VALUES (999, '999', 'from the future', 'SQL',"
                    + " 'V999__from_the_future.sql', 0, 'test', 1, true)");
            Migrations m = new Migrations(db.dataSource());
            assertThatThrownBy(m::validate)
                    .hasMessage("the database schema is at V999, newer than this Gatehouse (which knows up to V10);"
                            + " migrations are one-way: upgrade Gatehouse, or restore a backup taken before the upgrade");
            assertThatThrownBy(m::migrate).hasMessageContaining("newer than this Gatehouse");
            assertThatThrownBy(m::requireCurrent).hasMessageContaining("newer than this Gatehouse");
        } finally {
            TestDatabases.drop(db);
        }
    }

    @Test
    void schemaRejectsMalformedNetworksAndCrossOrgAssignments() {
        TestDatabase db = TestDatabases.create("schema");
        try {
            db.update("INSERT INTO organisations (name) VALUES ('a'), ('b')");
            db.update("INSERT INTO network_access_policies (org_id, name, created_by, updated_by)"
                    + " SELECT id, 'office', 't', 't' FROM organisations WHERE name = 'a'");
            Object policy = db.queryValue("SELECT id FROM network_access_policies");
            assertThatThrownBy(() -> db.update("INSERT INTO network_policy_entries (policy_id, action, network)"
                    + " VALUES (?, 'allow', '10.0.0.1/8'::cidr)", policy))
                    .hasMessageContaining("has bits set to right of mask");
            assertThatThrownBy(() -> db.update("INSERT INTO network_policy_entries (policy_id, action, network)"
                    + " VALUES (?, 'allow', 'not-an-ip'::cidr)", policy))
                    .hasMessageContaining("invalid input syntax for type cidr");
            assertThat(db.update("INSERT INTO network_policy_entries (policy_id, action, network)"
                    + " VALUES (?, 'deny', '2001:db8::/32'::cidr)", policy)).isEqualTo(1);

            db.update("INSERT INTO accounts (org_id, kind, name) SELECT id, 'member', 'bob' FROM organisations WHERE name = 'b'");
            assertThatThrownBy(() -> db.update("INSERT INTO account_network_policies (org_id, account_id, policy_id, assigned_by)"
                    + " SELECT p.org_id, a.id, p.id, 't' FROM accounts a, network_access_policies p"))
                    .hasMessageContaining("violates foreign key constraint");
        } finally {
            TestDatabases.drop(db);
        }
    }

    @Test
    void accessEventsArePartitionedByDayAndInsertsNeverFail() {
        TestDatabase db = TestDatabases.create("events");
        try {
            Object partitions = db.queryValue("SELECT count(*) FROM pg_inherits WHERE inhparent = 'access_events'::regclass");
            assertThat(((Number) partitions).intValue()).isGreaterThanOrEqualTo(10); // 9 days + default
            db.update("INSERT INTO access_events (ts, event_id, client_ip, decision) VALUES (now(), gen_random_uuid(), '192.0.2.1', 'allow')");
            db.update("INSERT INTO access_events (ts, event_id, client_ip, decision)"
                    + " VALUES ('2001-01-01', gen_random_uuid(), '2001:db8::1', 'deny')");
            assertThat(db.queryValue("SELECT count(*) FROM access_events_default")).isEqualTo(1L);
            Object made = db.queryValue("SELECT gatehouse_ensure_access_event_partitions(current_date + 30, 2)");
            assertThat(made).isEqualTo(2);
            assertThat(db.queryValue("SELECT gatehouse_ensure_access_event_partitions(current_date + 30, 2)")).isEqualTo(0);
        } finally {
            TestDatabases.drop(db);
        }
    }
}
