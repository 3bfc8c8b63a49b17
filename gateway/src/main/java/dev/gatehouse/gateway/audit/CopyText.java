package dev.gatehouse.gateway.audit;

import java.time.format.DateTimeFormatter;

/** Rows in PostgreSQL's COPY text format: tab-separated, \N for null, backslash escapes. */
final class CopyText {
    private CopyText() {
    }

    static void row(StringBuilder sb, AuditEvent e) {
        field(sb, DateTimeFormatter.ISO_INSTANT.format(e.ts()));
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

    private static void field(StringBuilder sb, Object value) {
        if (value == null) {
            sb.append("\\N");
            return;
        }
        String s = value.toString();
        for (int i = 0; i < s.length(); i++) {
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
}
