package dev.gatehouse.admin;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** Runs gatehouse-admin in-process and captures what it printed. */
record CliRun(int code, String out, String err) {
    static CliRun of(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AdminMain.run(new PrintWriter(out, true), new PrintWriter(err, true), env, args);
        return new CliRun(code, out.toString(), err.toString());
    }

    static CliRun of(String... args) {
        return of(Map.of(), args);
    }

    /** What it printed on stdout, parsed as one JSON document. */
    com.fasterxml.jackson.databind.JsonNode json() {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(out);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + out, e);
        }
    }

    /** The values of {@code field} in the objects of a JSON array (or in the one object) printed. */
    java.util.List<String> values(String field) {
        com.fasterxml.jackson.databind.JsonNode doc = json();
        java.util.List<String> out = new java.util.ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode n : doc.isArray() ? doc : java.util.List.of(doc)) {
            out.add(n.get(field).isNull() ? null : n.get(field).asText());
        }
        return out;
    }
}
