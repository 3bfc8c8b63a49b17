package dev.gatehouse.core.db;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import javax.sql.DataSource;

/**
 * The quick answer to "is this database's schema exactly this binary's?", read from Flyway's history
 * table with one query, without starting Flyway (which scans the class path first: over half a second
 * of a gateway's start). Exactly means: every bundled migration applied, successfully, under the same
 * version, description, script name and checksum, in order, and nothing else. Anything short of that —
 * no history table, a pending or unknown version, a failed one, a different checksum, an error — is
 * "not sure", and the caller asks Flyway, which migrates or explains.
 */
public final class SchemaHistory {
    /** Bundled migrations, in order; {@code SchemaHistoryIT} holds this list to the directory's contents. */
    static final List<String> BUNDLED = List.of("V1__gatehouse_model.sql",
            "V2__access_events_without_primary_key.sql", "V3__access_events_partitions_in_utc.sql",
            "V4__global_policy_restores_per_organisation.sql", "V5__oidc_providers.sql", "V6__sso_session_keys.sql", "V7__sso_events.sql",
            "V8__sso_boundary.sql", "V9__policy_versions.sql",
            "V10__gateway_heartbeats.sql");
    static final String LOCATION = "db/migration/";

    private SchemaHistory() {
    }

    /** True only when the applied schema is exactly the bundled one; false when unsure, never an exception. */
    public static boolean isCurrent(DataSource dataSource) {
        List<String> expected = new ArrayList<>();
        for (String script : BUNDLED) {
            expected.add(row(version(script), description(script), script, checksum(script)));
        }
        List<String> applied = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, description, type, script, checksum, success"
                     + " FROM flyway_schema_history ORDER BY installed_rank")) {
            while (rs.next()) {
                if (!"SQL".equals(rs.getString("type")) || !rs.getBoolean("success")) {
                    return false;
                }
                int checksum = rs.getInt("checksum");
                applied.add(row(rs.getString("version"), rs.getString("description"), rs.getString("script"),
                        rs.wasNull() ? null : checksum));
            }
        } catch (SQLException e) {
            return false; // no history table yet, or no database: Flyway will say which
        }
        return applied.equals(expected);
    }

    private static String row(String version, String description, String script, Integer checksum) {
        return version + "|" + description + "|" + script + "|" + checksum;
    }

    /** {@code V12__add_things.sql} → {@code 12}. */
    static String version(String script) {
        return script.substring(1, script.indexOf("__"));
    }

    /** {@code V12__add_things.sql} → {@code add things}, as Flyway records it. */
    static String description(String script) {
        return script.substring(script.indexOf("__") + 2, script.length() - ".sql".length()).replace('_', ' ');
    }

    /**
     * Flyway's checksum of an SQL migration: CRC32 over the script's lines in UTF-8, each without its line
     * break, a leading byte-order mark dropped.
     */
    static int checksum(String script) {
        CRC32 crc = new CRC32();
        try (InputStream in = SchemaHistory.class.getClassLoader().getResourceAsStream(LOCATION + script)) {
            if (in == null) {
                throw new IllegalStateException("bundled migration missing from the class path: " + LOCATION + script);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line = reader.readLine();
            if (line != null && line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            for (; line != null; line = reader.readLine()) {
                crc.update(line.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return (int) crc.getValue();
    }
}
