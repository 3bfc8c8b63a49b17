package dev.gatehouse.core.policy;

import java.util.Locale;

/**
 * A person (who may sign in through SSO) or a program (which calls with API tokens). Stored as its lower-case name
 * ({@code accounts.kind}; the database's CHECK allows these two only).
 */
public enum AccountKind {
    MEMBER, SERVICE;

    /** As stored and as operators write it: {@code member}, {@code service}. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind a stored value names; IllegalArgumentException naming it when it is neither. */
    public static AccountKind of(String text) {
        for (AccountKind k : values()) {
            if (k.text().equals(text)) {
                return k;
            }
        }
        throw new IllegalArgumentException("account kind must be member or service, got '" + text + "'");
    }
}
