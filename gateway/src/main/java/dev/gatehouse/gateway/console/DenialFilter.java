package dev.gatehouse.gateway.console;

import dev.gatehouse.core.admin.AccessEvents;
import dev.gatehouse.core.net.Cidr;
import dev.gatehouse.core.net.InvalidAddressException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The denials page's filters, read from its query (and the live tail's: the same query): {@code org}, {@code ip} (an
 * address or a network), {@code account}, {@code path} (a prefix), {@code since} ({@code 15m}, {@code 1h},
 * {@code 7d}, or an instant such as {@code 2026-12-06T10:00:00Z}) and {@code until} (an instant). The window is at
 * most {@link #MAX_WINDOW} long, and a page holds at most {@link #MAX_LIMIT} rows: every query stays bounded.
 *
 * @param text the values as given, for the form and the tail's address
 */
record DenialFilter(AccessEvents.Filter filter, Map<String, String> text) {
    static final Duration DEFAULT_WINDOW = Duration.ofHours(24);
    static final Duration MAX_WINDOW = Duration.ofDays(31);
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 500;
    static final String[] NAMES = {"org", "ip", "account", "path", "since", "until"};

    /** @throws IllegalArgumentException naming the parameter that does not read */
    static DenialFilter from(ConsolePages.Ask ask, Instant now) {
        Map<String, String> text = new LinkedHashMap<>();
        for (String n : NAMES) {
            String v = ask.one(n);
            if (v != null) {
                text.put(n, v);
            }
        }
        Cidr network = null;
        if (text.containsKey("ip")) {
            try {
                network = Cidr.parse(text.get("ip"));
            } catch (InvalidAddressException e) {
                throw new IllegalArgumentException("ip: " + e.getMessage());
            }
        }
        Instant until = text.containsKey("until") ? instant("until", text.get("until")) : null;
        Instant end = until == null ? now : until;
        Instant since = text.containsKey("since") ? since(text.get("since"), end) : end.minus(DEFAULT_WINDOW);
        if (since.isBefore(end.minus(MAX_WINDOW))) {
            throw new IllegalArgumentException("since: the console reads at most " + MAX_WINDOW.toDays()
                    + " days at once (gatehouse-admin audit search reads further)");
        }
        int limit = DEFAULT_LIMIT;
        String l = ask.one("limit");
        if (l != null) {
            try {
                limit = Math.max(1, Math.min(MAX_LIMIT, Integer.parseInt(l)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("limit: not a number");
            }
        }
        return new DenialFilter(new AccessEvents.Filter(text.get("org"), network, text.get("account"), text.get("path"),
                since, until, limit), text);
    }

    /** {@code 15m}, {@code 2h}, {@code 7d} before {@code end}; or an instant. */
    static Instant since(String s, Instant end) {
        if (s.matches("\\d{1,6}[smhd]")) {
            long n = Long.parseLong(s.substring(0, s.length() - 1));
            Duration d = switch (s.charAt(s.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            return end.minus(d);
        }
        return instant("since", s);
    }

    private static Instant instant(String name, String s) {
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + ": expected 15m, 1h, 7d or an instant like 2026-12-06T10:00:00Z,"
                    + " got " + s);
        }
    }

    /** The filters as a query string (for the tail's address), empty when none. */
    String query() {
        StringBuilder q = new StringBuilder();
        text.forEach((k, v) -> q.append(q.length() == 0 ? "" : "&").append(k).append('=').append(ConsoleFormat.query(v)));
        return q.toString();
    }

    String value(String name) {
        return text.getOrDefault(name, "");
    }
}
