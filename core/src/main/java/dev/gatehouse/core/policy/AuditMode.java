package dev.gatehouse.core.policy;

import java.util.Locale;

/**
 * What the audit log keeps of an organisation's (or an app's) policy-checked requests: every one, one row per
 * (organisation, app, account, client IP, decision, minute) with a count, or nothing. Stored as its lower-case name
 * ({@code organisations.audit_mode}, {@code apps.audit_mode}; the database's CHECK allows these three only).
 */
public enum AuditMode {
    FULL, AGGREGATED, OFF;

    /** As stored and as operators write it: {@code full}, {@code aggregated}, {@code off}. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode a stored value names; IllegalArgumentException naming it when it is none of the three. */
    public static AuditMode of(String text) {
        for (AuditMode m : values()) {
            if (m.text().equals(text)) {
                return m;
            }
        }
        throw new IllegalArgumentException("audit mode must be full, aggregated or off, got '" + text + "'");
    }
}
