package dev.gatehouse.gateway.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** JSON in tests is parsed (Jackson), not matched as text: field order and spacing are not the contract. */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    public static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** The document's text fields as a flat map of dotted paths to values ("checks.database" → "up"). */
    public static java.util.Map<String, String> flat(String text) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        flatten("", parse(text), out);
        return out;
    }

    private static void flatten(String prefix, JsonNode n, java.util.Map<String, String> out) {
        if (n.isObject()) {
            n.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out));
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                flatten(prefix + "[" + i + "]", n.get(i), out);
            }
        } else {
            out.put(prefix, n.isNull() ? null : n.asText());
        }
    }
}
