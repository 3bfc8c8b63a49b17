package dev.gatehouse.admin.cli;

import dev.gatehouse.core.util.Json;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the admin core's results are printed: records (or lists of them) as JSON with {@code --json} — each
 * component under its snake_case name, the names scripts read (JsonShapesIT pins them) — and otherwise as a table
 * (the named columns, headers upper-cased) or as {@code name: value} lines.
 */
public final class Output {
    private Output() {
    }

    /** The value as one JSON document on a line. */
    public static void json(PrintWriter out, Object value) {
        out.println(Json.write(value));
    }

    /** Rows as a table of the named columns, or with {@code json} as a JSON array. */
    public static void rows(PrintWriter out, boolean json, List<? extends Record> rows, String... columns) {
        if (json) {
            json(out, rows);
            return;
        }
        table(out, rows, columns);
    }

    /** Rows as a table of the named columns (snake_case component names); "(none)" when there are none. */
    public static void table(PrintWriter out, List<? extends Record> rows, String... columns) {
        if (rows.isEmpty()) {
            out.println("(none)");
            return;
        }
        String[] header = new String[columns.length];
        for (int i = 0; i < columns.length; i++) {
            header[i] = columns[i].toUpperCase(Locale.ROOT).replace('_', ' ');
        }
        Table t = new Table(header);
        for (Record r : rows) {
            Map<String, Object> fields = Json.fields(r);
            Object[] cells = new Object[columns.length];
            for (int i = 0; i < columns.length; i++) {
                if (!fields.containsKey(columns[i])) {
                    throw new IllegalArgumentException(r.getClass().getSimpleName() + " has no " + columns[i]);
                }
                Object v = fields.get(columns[i]);
                cells[i] = v instanceof List<?> l ? String.join(" ", l.stream().map(String::valueOf).toList()) : v;
            }
            t.row(cells);
        }
        t.print(out);
    }

    /** The named fields of a record as aligned {@code name: value} lines. */
    public static void fields(PrintWriter out, Record r, String... names) {
        Map<String, Object> fields = Json.fields(r);
        int width = 0;
        for (String n : names) {
            width = Math.max(width, n.length() + 1);
        }
        for (String n : names) {
            if (!fields.containsKey(n)) {
                throw new IllegalArgumentException(r.getClass().getSimpleName() + " has no " + n);
            }
            out.printf("%-" + width + "s %s%n", n + ":", fields.get(n));
        }
    }
}
