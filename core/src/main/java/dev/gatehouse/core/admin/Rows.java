package dev.gatehouse.core.admin;

import dev.gatehouse.core.util.Json;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Query results as records ({@link #list}): each column given to the component of its name (column
 * {@code retention_days}, component {@code retentionDays}) — the same name the CLI's JSON shows it under.
 */
public final class Rows {
    private Rows() {
    }

    /**
     * The rows as records of {@code type}: every component needs a column of its snake_case name. Values convert to
     * the component's type: UUID, Instant (from a timestamp), String (anything else's text), long/int/boolean and
     * their boxes, List of String (from an array).
     */
    public static <R extends Record> List<R> list(Connection c, Class<R> type, String sql, Object... args)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                RecordComponent[] components = type.getRecordComponents();
                int[] columns = new int[components.length];
                ResultSetMetaData md = rs.getMetaData();
                for (int k = 0; k < components.length; k++) {
                    String name = Json.snake(components[k].getName());
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        if (md.getColumnLabel(i).equals(name)) {
                            columns[k] = i;
                        }
                    }
                    if (columns[k] == 0) {
                        throw new IllegalStateException(type.getSimpleName() + ": the query has no column " + name);
                    }
                }
                Constructor<R> ctor = canonical(type, components);
                List<R> out = new ArrayList<>();
                while (rs.next()) {
                    Object[] values = new Object[components.length];
                    for (int k = 0; k < components.length; k++) {
                        values[k] = convert(rs.getObject(columns[k]), components[k].getType(), type, components[k]);
                    }
                    try {
                        out.add(ctor.newInstance(values));
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException("cannot make a " + type.getSimpleName(), e);
                    }
                }
                return out;
            }
        }
    }

    /** The one row of a query that has exactly one. */
    public static <R extends Record> R one(Connection c, Class<R> type, String sql, Object... args) throws SQLException {
        List<R> rows = list(c, type, sql, args);
        if (rows.size() != 1) {
            throw new IllegalStateException(type.getSimpleName() + ": expected one row, got " + rows.size());
        }
        return rows.get(0);
    }

    private static <R extends Record> Constructor<R> canonical(Class<R> type, RecordComponent[] components) {
        Class<?>[] types = new Class<?>[components.length];
        for (int k = 0; k < components.length; k++) {
            types[k] = components[k].getType();
        }
        try {
            Constructor<R> ctor = type.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return ctor;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(type.getSimpleName() + " has no canonical constructor", e);
        }
    }

    private static Object convert(Object v, Class<?> to, Class<?> type, RecordComponent component) throws SQLException {
        if (v == null) {
            if (to.isPrimitive()) {
                throw new IllegalStateException(type.getSimpleName() + "." + component.getName() + " is null");
            }
            return null;
        }
        if (to == Instant.class && v instanceof Timestamp t) {
            return t.toInstant();
        }
        if ((to == long.class || to == Long.class) && v instanceof Number n) {
            return n.longValue();
        }
        if ((to == int.class || to == Integer.class) && v instanceof Number n) {
            return n.intValue();
        }
        if (to == List.class && v instanceof Array a) {
            return Arrays.stream((Object[]) a.getArray()).map(String::valueOf).toList();
        }
        if (to == String.class && !(v instanceof String)) {
            return v.toString();
        }
        if (!to.isPrimitive() && !to.isInstance(v) || to == boolean.class && !(v instanceof Boolean)) {
            throw new IllegalStateException(type.getSimpleName() + "." + component.getName() + ": a "
                    + v.getClass().getSimpleName() + " is not a " + to.getSimpleName());
        }
        return v;
    }
}
