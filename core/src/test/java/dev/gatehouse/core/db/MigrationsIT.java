package dev.gatehouse.core.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.core.testing.TestDatabases;
import org.junit.jupiter.api.Test;

class MigrationsIT {

    @Test
    void migratesAnEmptyDatabaseAndReportsV1Applied() {
        TestDatabase db = TestDatabases.createEmpty("migrate");
        try {
            Migrations m = new Migrations(db.dataSource());
            assertThat(m.pending()).containsExactly("1");
            assertThatThrownBy(m::requireCurrent)
                    .isInstanceOf(GatehouseException.class)
                    .hasMessageContaining("schema is behind this Gatehouse (pending: V1)")
                    .hasMessageContaining("gatehouse-admin migrate");

            assertThat(m.migrate()).extracting(Migrations.Version::version).containsExactly("1");
            assertThat(m.pending()).isEmpty();
            assertThat(m.info()).anySatisfy(v -> {
                assertThat(v.version()).isEqualTo("1");
                assertThat(v.state()).isEqualTo("Success");
            });
            m.requireCurrent();
            assertThat(m.migrate()).isEmpty(); // idempotent
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
                    .hasMessage("the database schema is at V999, newer than this Gatehouse (which knows up to V1);"
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
