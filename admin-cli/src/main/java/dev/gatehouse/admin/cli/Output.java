package dev.gatehouse.admin.cli;

import dev.gatehouse.core.util.Json;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** Prints rows as a table (column headers upper-cased) or, with --json, as a JSON array. */
public final class Output {
    private Output() {
    }

    public static void rows(PrintWriter out, boolean json, List<Map<String, Object>> rows, String... columns) {
        if (json) {
            out.println(Json.write(rows));
            return;
        }
        if (rows.isEmpty()) {
            out.println("(none)");
            return;
        }
        String[] header = new String[columns.length];
        for (int i = 0; i < columns.length; i++) {
            header[i] = columns[i].toUpperCase(java.util.Locale.ROOT).replace('_', ' ');
        }
        Table t = new Table(header);
        for (Map<String, Object> r : rows) {
            Object[] cells = new Object[columns.length];
            for (int i = 0; i < columns.length; i++) {
                Object v = r.get(columns[i]);
                cells[i] = v instanceof List<?> l ? String.join(" ", l.stream().map(String::valueOf).toList()) : v;
            }
            t.row(cells);
        }
        t.print(out);
    }
}
