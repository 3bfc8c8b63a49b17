package dev.gatehouse.gateway.audit;

/**
 * Text as access_events keeps it, whichever way it is written: control characters other than tab,
 * newline and carriage return become spaces (PostgreSQL text holds no NUL, and a client's path or
 * User-Agent may carry anything).
 */
final class StoredText {
    private StoredText() {
    }

    static String of(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                if (sb == null) {
                    sb = new StringBuilder(s);
                }
                sb.setCharAt(i, ' ');
            }
        }
        return sb == null ? s : sb.toString();
    }
}
