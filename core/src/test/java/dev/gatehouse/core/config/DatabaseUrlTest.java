package dev.gatehouse.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatabaseUrlTest {
    @Test
    void herokuStyleUrl() {
        DatabaseUrl u = DatabaseUrl.parse("postgres://gh:p%3Ass@10.0.0.5:5433/gatehouse", "DATABASE_URL");
        assertThat(u).isEqualTo(new DatabaseUrl("jdbc:postgresql://10.0.0.5:5433/gatehouse", "gh", "p:ss"));
    }

    @Test
    void postgresqlSchemeWithoutPortOrCredentials() {
        assertThat(DatabaseUrl.parse("postgresql://db/gh", "x"))
                .isEqualTo(new DatabaseUrl("jdbc:postgresql://db/gh", "", ""));
    }

    @Test
    void ipv6Host() {
        assertThat(DatabaseUrl.parse("postgres://u@[::1]:5432/gh", "x").jdbcUrl())
                .isEqualTo("jdbc:postgresql://[::1]:5432/gh");
    }

    @Test
    void jdbcUrlPassesThrough() {
        assertThat(DatabaseUrl.parse("jdbc:postgresql://h:1/d?ssl=true", "x"))
                .isEqualTo(new DatabaseUrl("jdbc:postgresql://h:1/d?ssl=true", "", ""));
    }

    @Test
    void missingDatabaseNameIsRefused() {
        assertThatThrownBy(() -> DatabaseUrl.parse("postgres://u:secret@h:5432/", "DATABASE_URL"))
                .hasMessage("configuration: DATABASE_URL: expected exactly one database name after the host in 'postgres://u:***@h:5432/'");
    }

    @Test
    void redactsPasswords() {
        assertThat(DatabaseUrl.redact("postgres://user:pw@host/db")).isEqualTo("postgres://user:***@host/db");
    }
}
