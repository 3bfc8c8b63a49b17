package dev.gatehouse.gateway.audit;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Rows in PostgreSQL's COPY text format: tab-separated, \N for null, backslash escapes — the format of the
 * {@link AuditSpool}, readable with {@code psql \copy} when the gateway cannot replay it.
 */
final class CopyText {
    private CopyText() {
    }

    /** The last second printed: rows of a batch share their second, and DateTimeFormatter is slow. */
    private record Second(long epochSecond, String text) {
    }

    private static volatile Second lastSecond = new Second(Long.MIN_VALUE, "");

    static void row(StringBuilder sb, AuditEvent e) {
        timestamp(sb, e.ts());
        sb.append('\t');
        field(sb, e.eventId());
        sb.append('\t');
        field(sb, e.orgId());
        sb.append('\t');
        field(sb, e.appId());
        sb.append('\t');
        field(sb, e.accountId());
        sb.append('\t');
        field(sb, e.clientIp());
        sb.append('\t');
        field(sb, e.peerIp());
        sb.append('\t');
        field(sb, e.method());
        sb.append('\t');
        field(sb, e.path());
        sb.append('\t');
        field(sb, e.status() == 0 ? null : e.status());
        sb.append('\t');
        field(sb, e.decision());
        sb.append('\t');
        field(sb, e.policyId());
        sb.append('\t');
        field(sb, e.userAgent());
        sb.append('\t');
        field(sb, e.requestId());
        sb.append('\t');
        field(sb, e.eventType());
        sb.append('\t');
        sb.append(e.count());
        sb.append('\n');
    }

    /** {@code 2026-11-25T18:00:00.123456Z}: UTC, microseconds (what PostgreSQL keeps). */
    static void timestamp(StringBuilder sb, Instant ts) {
        Second second = lastSecond;
        if (second.epochSecond() != ts.getEpochSecond()) {
            String text = DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(LocalDateTime.ofEpochSecond(ts.getEpochSecond(), 0,
                    ZoneOffset.UTC));
            second = new Second(ts.getEpochSecond(), text);
            lastSecond = second; // immutable: a racing reader sees this second or another whole one
        }
        sb.append(second.text()).append('.');
        int micros = ts.getNano() / 1000;
        for (int div = 100_000; div > 0; div /= 10) {
            sb.append((char) ('0' + micros / div % 10));
        }
        sb.append('Z');
    }

    private static void field(StringBuilder sb, Object value) {
        if (value == null) {
            sb.append("\\N");
            return;
        }
        String s = value.toString();
        int clean = 0;
        while (clean < s.length() && s.charAt(clean) >= 0x20 && s.charAt(clean) != '\\') {
            clean++;
        }
        if (clean == s.length()) {
            sb.append(s); // nearly every value: one array copy, no per-character work
            return;
        }
        sb.append(s, 0, clean);
        for (int i = clean; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20) {
                        sb.append(' ');
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
    }

    /** A row written by {@link #row}, read back; null for a line that does not parse (never guessed at). */
    static AuditEvent parse(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 16) {
            return null;
        }
        String[] v = new String[f.length];
        for (int i = 0; i < f.length; i++) {
            v[i] = unescape(f[i]);
        }
        try {
            return new AuditEvent(Instant.parse(v[0]), java.util.UUID.fromString(v[1]), uuid(v[2]), uuid(v[3]), uuid(v[4]),
                    dev.gatehouse.core.net.IpAddress.parse(v[5]), v[6] == null ? null : dev.gatehouse.core.net.IpAddress.parse(v[6]),
                    v[7], v[8], v[9] == null ? 0 : Integer.parseInt(v[9]), v[10], uuid(v[11]), v[12], v[13], v[14],
                    Integer.parseInt(v[15]));
        } catch (RuntimeException e) { // a value that does not parse: damaged too
            return null;
        }
    }

    private static java.util.UUID uuid(String s) {
        return s == null ? null : java.util.UUID.fromString(s);
    }

    private static String unescape(String s) {
        if (s.equals("\\N")) {
            return null;
        }
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                sb.append(switch (n) {
                    case 't' -> '\t';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    default -> n;
                });
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
