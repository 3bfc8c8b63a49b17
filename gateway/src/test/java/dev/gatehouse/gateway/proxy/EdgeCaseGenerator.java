package dev.gatehouse.gateway.proxy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Seeded requests around framing and headers for the edge's differential test: a valid request, then up to three
 * mutations (Connection tokens, Content-Length and Transfer-Encoding variants, Host, versions, targets, whitespace,
 * case, duplicates, obs-fold, line endings, trailers, client-address headers, chunk syntax, upgrades, odd bytes),
 * sometimes two pipelined. Each case says which mutations it carries, for the failure message.
 */
final class EdgeCaseGenerator {
    /** One case: the bytes to send and what was done to them. */
    record Case(byte[] bytes, byte[] oracleBytes, String description) {
    }

    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"};
    private static final String[] TARGETS = {"/", "/a/b", "/a?x=1&y=2", "/p%20q", "/x/y.json", "/api/v1/items?id=7"};
    private static final String[] CONNECTION_TOKENS = {"Content-Length", "Transfer-Encoding", "Host", "X-Real-IP",
            "X-Forwarded-For", "close", "keep-alive", "X-A", "Upgrade", "TE", "X-Request-Id", "X-Gatehouse-Org",
            "content-length", "Trailer", "Forwarded", "Authorization"};
    private static final String[] CLIENT_HEADERS = {"X-Client-IP", "True-Client-IP", "CF-Connecting-IP",
            "X-Forwarded-Port", "X_Forwarded_For", "X-Gatehouse-Org", "X-Gatehouse-Account", "X-Real-IP",
            "X-Forwarded-For", "X-Cluster-Client-IP", "Fastly-Client-IP", "X-Original-Forwarded-For", "Forwarded",
            "X-Forwarded-Server", "X_Real_IP", "x-gatehouse-app", "X-Request-Id"};
    private static final String[] VERSIONS = {"HTTP/1.0", "HTTP/1.1", "HTTP/1.2", "HTTP/2.0", "HTTP/0.9", "HTTP/9.9",
            "http/1.1", "HTTP/1.1 ", "HTTP/01.1", "HTTP/1.10", "HTTP/1"};
    private static final String[] TRANSFER_ENCODINGS = {"chunked", "Chunked", "CHUNKED", " chunked", "chunked ",
            "chunked, chunked", "gzip, chunked", "identity", "chunked\t", "\tchunked", "chunked, identity", "xchunked",
            "chunked;q=1"};
    private static final String[] HOSTS = {"a b", "a/b", "a@b", "x:99999999", "", "[::1]:8080", "h.test:80",
            "h.test:", "h\\t", "h.test:8o", "[::1", "xn--bcher-kva.test", "h_t.test"};
    private static final String[] ODD_VALUES = {"a\u0000b", "a\u007fb", "caf\u00e9", "a\u0001b", "a\rb", "  padded  ",
            "\"quoted\"", "a\u000bb"};
    private static final String[] ODD_TARGET_BYTES = {"\u0001", "\u007f", " ", "\u0080", "\u00ff", "\t", "#", "\\"};

    private final Random random;

    EdgeCaseGenerator(long seed) {
        this.random = new Random(seed);
    }

    Case next() {
        StringBuilder what = new StringBuilder();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream oracle = new ByteArrayOutputStream();
        int requests = random.nextInt(10) < 3 ? 2 : 1;
        for (int i = 0; i < requests; i++) {
            Draft d = draft();
            int mutations = random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                what.append(mutate(d)).append("; ");
            }
            out.writeBytes(d.bytes(false));
            oracle.writeBytes(d.bytes(true));
            what.append(i + 1 < requests ? "| " : "");
        }
        return new Case(out.toByteArray(), oracle.toByteArray(), what.toString());
    }

    /** A request being built: lines (without their ends), the body as it will be sent. */
    private final class Draft {
        String method;
        String target;
        String version = "HTTP/1.1";
        final List<String[]> headers = new ArrayList<>();
        byte[] body = new byte[0];
        boolean chunked;
        final List<int[]> chunks = new ArrayList<>(); // [offset, length]
        final List<String> chunkSizeLines = new ArrayList<>();
        final List<String> trailers = new ArrayList<>();
        boolean dropChunkCrlf;
        /** Index of the line (0 = request line, then headers) to end with these bytes instead of CRLF. */
        int oddEndingLine = -1;
        String oddEnding;
        /** Index of a header to continue on a folded line. */
        int foldHeader = -1;

        /**
         * The request's bytes; {@code forOracle}: with the request line split on whitespace boundaries, as RFC 9112
         * §3 lets a recipient do (and Netty does) — the gateway re-writes the line, so this leniency never reaches
         * an upstream; the strict oracle would otherwise refuse {@code GET /\t HTTP/1.1}.
         */
        byte[] bytes(boolean forOracle) {
            StringBuilder sb = new StringBuilder();
            String line = method + ' ' + target + ' ' + version;
            if (forOracle) {
                String[] words = line.strip().split("[ \t]+", 3);
                line = String.join(" ", words);
            }
            sb.append(line).append(end(0, forOracle));
            for (int i = 0; i < headers.size(); i++) {
                String[] h = headers.get(i);
                if (i == foldHeader) {
                    sb.append(h[0]).append(h[1]).append("\r\n ").append("folded").append(end(i + 1, forOracle));
                } else {
                    sb.append(h[0]).append(h[1]).append(end(i + 1, forOracle));
                }
            }
            sb.append("\r\n");
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.writeBytes(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (chunked) {
                for (int i = 0; i < chunks.size(); i++) {
                    int[] c = chunks.get(i);
                    b.writeBytes((chunkSizeLines.get(i) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    b.write(body, c[0], c[1]);
                    if (!(dropChunkCrlf && i == 0)) {
                        b.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    }
                }
                StringBuilder last = new StringBuilder("0\r\n");
                for (String t : trailers) {
                    last.append(t).append("\r\n");
                }
                last.append("\r\n");
                b.writeBytes(last.toString().getBytes(StandardCharsets.ISO_8859_1));
            } else {
                b.writeBytes(body);
            }
            return b.toByteArray();
        }

        private String end(int line) {
            return line == oddEndingLine ? oddEnding : "\r\n";
        }

        /** For the oracle: a CR before a line's CRLF is trailing whitespace the decoder trims (and the gateway writes
         * the line anew), so the oracle reads it as the plain line end. */
        private String end(int line, boolean forOracle) {
            String e = end(line);
            return forOracle && e.equals("\r\r\n") ? "\r\n" : e;
        }

        void header(String name, String value) {
            headers.add(new String[] {name, ": " + value});
        }

        int find(String name) {
            for (int i = 0; i < headers.size(); i++) {
                if (headers.get(i)[0].equalsIgnoreCase(name)) {
                    return i;
                }
            }
            return -1;
        }
    }

    private Draft draft() {
        Draft d = new Draft();
        d.method = pick(METHODS);
        d.target = pick(TARGETS);
        d.header("Host", "h.test");
        if (random.nextBoolean()) {
            d.header("User-Agent", "edge-test/1");
        }
        if (random.nextBoolean()) {
            d.header("X-A", "v" + random.nextInt(100));
        }
        boolean withBody = d.method.equals("POST") || d.method.equals("PUT") || d.method.equals("PATCH")
                || random.nextInt(10) == 0;
        if (withBody) {
            byte[] body = new byte[random.nextInt(48)];
            for (int i = 0; i < body.length; i++) {
                body[i] = (byte) (random.nextInt(10) == 0 ? "GET / HTTP/1.1\r\nHost: x\r\n\r\n".charAt(i % 27)
                        : 'a' + random.nextInt(26));
            }
            d.body = body;
            if (random.nextBoolean()) {
                d.chunked = true;
                d.header("Transfer-Encoding", "chunked");
                int off = 0;
                while (off < body.length) {
                    int len = 1 + random.nextInt(body.length - off);
                    d.chunks.add(new int[] {off, len});
                    d.chunkSizeLines.add(Integer.toHexString(len));
                    off += len;
                }
            } else {
                d.header("Content-Length", String.valueOf(body.length));
            }
        }
        return d;
    }

    private String mutate(Draft d) {
        switch (random.nextInt(16)) {
            case 0 -> {
                StringBuilder v = new StringBuilder();
                int n = 1 + random.nextInt(3);
                for (int i = 0; i < n; i++) {
                    v.append(i == 0 ? "" : random.nextBoolean() ? ", " : ",").append(pick(CONNECTION_TOKENS));
                }
                d.header("Connection", v.toString());
                return "Connection: " + v;
            }
            case 1 -> {
                String v = random.nextBoolean() ? String.valueOf(d.body.length) : String.valueOf(d.body.length + 1 + random.nextInt(5));
                d.header(random.nextBoolean() ? "Content-Length" : "content-length", v);
                return "another Content-Length " + v;
            }
            case 2 -> {
                if (d.chunked) {
                    d.header("Content-Length", String.valueOf(random.nextInt(d.body.length + 5)));
                    return "Content-Length with chunked";
                }
                d.header("Transfer-Encoding", "chunked");
                return "Transfer-Encoding with Content-Length";
            }
            case 3 -> {
                int i = d.find("Transfer-Encoding");
                String v = pick(TRANSFER_ENCODINGS);
                if (i >= 0) {
                    d.headers.get(i)[1] = ":" + (v.startsWith(" ") || v.startsWith("\t") ? "" : " ") + v;
                    return "Transfer-Encoding: " + v;
                }
                d.header("Transfer-Encoding", v);
                return "added Transfer-Encoding: " + v;
            }
            case 4 -> {
                int choice = random.nextInt(3);
                if (choice == 0) {
                    d.header("Host", random.nextBoolean() ? "h.test" : "other.test");
                    return "second Host";
                } else if (choice == 1) {
                    int i = d.find("Host");
                    if (i >= 0) {
                        d.headers.remove(i);
                    }
                    return "no Host";
                }
                String h = pick(HOSTS);
                int i = d.find("Host");
                if (i >= 0) {
                    d.headers.get(i)[1] = ": " + h;
                }
                return "Host: " + h;
            }
            case 5 -> {
                d.version = pick(VERSIONS);
                return "version " + d.version;
            }
            case 6 -> {
                int choice = random.nextInt(4);
                if (choice == 0) {
                    d.target = "http://h.test" + d.target;
                    return "absolute-form";
                } else if (choice == 1) {
                    d.target = random.nextBoolean() ? "*" : "h.test:80";
                    return "target " + d.target;
                }
                String odd = pick(ODD_TARGET_BYTES);
                int at = 1 + random.nextInt(d.target.length());
                d.target = d.target.substring(0, at) + odd + d.target.substring(at);
                return "target byte 0x" + Integer.toHexString(odd.charAt(0));
            }
            case 7 -> {
                if (d.headers.isEmpty()) {
                    return "nothing";
                }
                String[] h = d.headers.get(random.nextInt(d.headers.size()));
                String value = h[1].substring(1).strip();
                String[] forms = {" : ", ":", ":\t", ":  ", "\t: "};
                String form = forms[random.nextInt(forms.length)];
                h[1] = form + value + (random.nextBoolean() ? "  " : "");
                return "whitespace around " + h[0] + " '" + form + "'";
            }
            case 8 -> {
                if (d.headers.isEmpty()) {
                    return "nothing";
                }
                d.foldHeader = random.nextInt(d.headers.size());
                return "obs-fold on " + d.headers.get(d.foldHeader)[0];
            }
            case 9 -> {
                for (String[] h : d.headers) {
                    h[0] = random.nextBoolean() ? h[0].toUpperCase(Locale.ROOT) : h[0].toLowerCase(Locale.ROOT);
                }
                return "header name case";
            }
            case 10 -> {
                d.oddEndingLine = random.nextInt(d.headers.size() + 1);
                d.oddEnding = random.nextBoolean() ? "\n" : random.nextBoolean() ? "\r" : "\r\r\n";
                return "line " + d.oddEndingLine + " ends with " + (d.oddEnding.equals("\n") ? "LF" : "CR");
            }
            case 11 -> {
                String[] names = {"X-Real-IP", "X-Gatehouse-Org", "X-Fine", "X-Forwarded-For", "Content-Length", "Host"};
                String t = pick(names) + ": " + (random.nextBoolean() ? "6.6.6.6" : "Evil");
                d.trailers.add(t);
                return "trailer " + t;
            }
            case 12 -> {
                String name = pick(CLIENT_HEADERS);
                d.header(name, random.nextBoolean() ? "10.0.0.7" : "Acme");
                return "client header " + name;
            }
            case 13 -> {
                if (!d.chunked || d.chunks.isEmpty()) {
                    return "nothing";
                }
                int i = random.nextInt(d.chunks.size());
                String size = Integer.toHexString(d.chunks.get(i)[1]);
                String[] forms = {"00" + size, size.toUpperCase(Locale.ROOT), size + " ", size + ";ext=1", size + "; e=\"q\"",
                        " " + size, "+" + size, "0x" + size, size + "\t"};
                if (random.nextInt(5) == 0) {
                    d.dropChunkCrlf = true;
                    return "chunk data without its CRLF";
                }
                String form = forms[random.nextInt(forms.length)];
                d.chunkSizeLines.set(i, form);
                return "chunk size '" + form + "'";
            }
            case 14 -> {
                d.header("Upgrade", random.nextBoolean() ? "h2c" : "websocket");
                d.header("Connection", "Upgrade" + (random.nextBoolean() ? ", HTTP2-Settings" : ""));
                if (random.nextBoolean()) {
                    d.header("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA");
                }
                return "upgrade";
            }
            default -> {
                String v = pick(ODD_VALUES);
                d.header("X-Odd", v);
                return "odd value " + v.chars().mapToObj(c -> c < 0x20 || c > 0x7e ? "\\x" + Integer.toHexString(c) : String.valueOf((char) c))
                        .reduce("", String::concat);
            }
        }
    }

    private String pick(String[] from) {
        return from[random.nextInt(from.length)];
    }
}
