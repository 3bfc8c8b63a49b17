package dev.gatehouse.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.net.IpAddress;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** COPY text rows: fields as PostgreSQL reads them back, whatever a client put in its path or User-Agent. */
class CopyTextTest {
    static String row(String path, String agent) {
        UUID id = new UUID(1, 2);
        StringBuilder sb = new StringBuilder();
        CopyText.row(sb, AuditEvent.request(Instant.parse("2026-11-25T18:00:00.123456Z"), id, id, null, null,
                IpAddress.parse("203.0.113.7"), IpAddress.parse("10.0.0.1"), "GET", path, 200, "allow", null, agent, "abc"));
        return sb.toString();
    }

    @Test
    void plainValuesGoAsTheyAre() {
        assertThat(row("/api/v1/secrets", "curl/8.0")).isEqualTo("2026-11-25T18:00:00.123456Z\t"
                + "00000000-0000-0001-0000-000000000002\t00000000-0000-0001-0000-000000000002\t\\N\t\\N\t"
                + "203.0.113.7\t10.0.0.1\tGET\t/api/v1/secrets\t200\tallow\t\\N\tcurl/8.0\tabc\trequest\t1\n");
    }

    @Test
    void backslashesAndControlCharactersAreEscapedOrBlanked() {
        String r = row("/a\\b\tc", "x\ny\rz\u0001!");
        assertThat(r).contains("\t/a\\\\b\\tc\t").contains("\tx\\ny\\rz !\t");
        assertThat(r.chars().filter(c -> c == '\t').count()).as("still sixteen fields").isEqualTo(15);
        assertThat(r.indexOf('\n')).as("one line").isEqualTo(r.length() - 1);
    }

    @Test
    void timestampsAreUtcWithMicroseconds() {
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < 10_000; i++) {
            // seconds from 1970 to 2100, shared by runs of events as in a batch
            Instant ts = Instant.ofEpochSecond(r.nextInt(Integer.MAX_VALUE) * 2L % 4_102_444_800L, r.nextInt(1_000_000) * 1000L);
            for (int k = 0; k < 3; k++) {
                Instant t = ts.plusNanos(k * 1000L);
                StringBuilder sb = new StringBuilder();
                CopyText.timestamp(sb, t);
                assertThat(Instant.parse(sb)).isEqualTo(t);
                assertThat(sb).hasSize(27).endsWith("Z");
            }
        }
    }
}
