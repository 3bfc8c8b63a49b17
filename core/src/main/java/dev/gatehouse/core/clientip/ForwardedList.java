package dev.gatehouse.core.clientip;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits the list headers into hop entries, in order, across all their lines: X-Forwarded-For by
 * commas; RFC 7239 Forwarded into the {@code for=} value of each element (quoted strings honoured).
 * Empty list elements are ignored (RFC 9110 §5.6.1.2). Values are returned raw, not yet parsed.
 */
final class ForwardedList {
    /** Marker for a Forwarded element that has no for= parameter. */
    static final String NO_FOR = "\u0000no for=";

    private ForwardedList() {
    }

    static List<String> xForwardedFor(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            int start = 0;
            for (int i = 0; i <= line.length(); i++) {
                if (i == line.length() || line.charAt(i) == ',') {
                    String e = line.substring(start, i).strip();
                    if (!e.isEmpty()) {
                        out.add(e);
                    }
                    start = i + 1;
                }
            }
        }
        return out;
    }

    /** The for= value of every element; {@link #NO_FOR} for an element without one. */
    static List<String> forwarded(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String forValue = null;
            boolean elementHasPairs = false;
            int i = 0;
            int n = line.length();
            while (i <= n) {
                // one pair, up to ';' or ',' (outside quotes) or the end
                int start = i;
                boolean quoted = false;
                while (i < n) {
                    char c = line.charAt(i);
                    if (c == '"') {
                        quoted = !quoted;
                    } else if (c == '\\' && quoted) {
                        i++;
                    } else if (!quoted && (c == ';' || c == ',')) {
                        break;
                    }
                    i++;
                }
                if (quoted) {
                    throw new IllegalArgumentException("unterminated quoted string in Forwarded");
                }
                String pair = line.substring(start, Math.min(i, n)).strip();
                if (!pair.isEmpty()) {
                    elementHasPairs = true;
                    int eq = pair.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("Forwarded parameter without '=': '" + pair + "'");
                    }
                    String name = pair.substring(0, eq).strip().toLowerCase(Locale.ROOT);
                    if (name.equals("for")) {
                        if (forValue != null) {
                            throw new IllegalArgumentException("Forwarded element with two for= parameters");
                        }
                        forValue = unquote(pair.substring(eq + 1).strip());
                    }
                }
                boolean endOfElement = i >= n || line.charAt(i) == ',';
                if (endOfElement) {
                    if (elementHasPairs) {
                        out.add(forValue == null ? NO_FOR : forValue);
                    }
                    forValue = null;
                    elementHasPairs = false;
                }
                i++;
            }
        }
        return out;
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"') {
            StringBuilder sb = new StringBuilder(v.length());
            for (int i = 1; i < v.length() - 1; i++) {
                char c = v.charAt(i);
                if (c == '\\' && i + 1 < v.length() - 1) {
                    c = v.charAt(++i);
                }
                sb.append(c);
            }
            return sb.toString();
        }
        return v;
    }
}
