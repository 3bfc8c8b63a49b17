package dev.gatehouse.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.eclipse.jetty.http.HttpCompliance;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpVersion;

/**
 * Requests as Jetty's HTTP/1.1 parser reads them — a parser independent of Netty's, for differential tests of
 * the edge. {@link #parseAll} reads a whole byte string (the oracle: what a strict server makes of what the client
 * sent); {@link Stream} is fed bytes as they arrive (the upstream: what it makes of what the gateway sent).
 */
public final class JettyParsed {
    private JettyParsed() {
    }

    /** One parsed request. */
    public record Request(String method, String uri, String version, List<String[]> headers, byte[] body,
                          List<String[]> trailers) {
        public List<String> all(String name) {
            List<String> out = new ArrayList<>();
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    out.add(h[1]);
                }
            }
            return out;
        }

        public String first(String name) {
            List<String> all = all(name);
            return all.isEmpty() ? null : all.get(0);
        }
    }

    /** What a parse of a whole byte string gave: the requests before the first error, and that error. */
    public record Result(List<Request> requests, String error, boolean incomplete) {
    }

    /** A streaming parse: feed bytes, take completed requests; an error ends the stream. */
    public static final class Stream implements HttpParser.RequestHandler {
        private final HttpParser parser;
        private final List<Request> done = new ArrayList<>();
        private String method;
        private String uri;
        private String version;
        private List<String[]> headers;
        private List<String[]> trailers;
        private ByteArrayOutputStream body;
        private String error;

        public Stream(HttpCompliance compliance) {
            this.parser = new HttpParser(this, 64 * 1024, compliance);
        }

        /** Parses what it can of {@code bytes}; returns the requests completed by them. */
        public List<Request> feed(ByteBuffer bytes) {
            while (error == null && bytes.hasRemaining()) {
                int before = bytes.remaining();
                boolean handled = parser.parseNext(bytes);
                if (parser.isComplete()) {
                    parser.reset();
                } else if (!handled && bytes.remaining() == before) {
                    break;
                }
            }
            List<Request> out = new ArrayList<>(done);
            done.clear();
            return out;
        }

        public String error() {
            return error;
        }

        /** Whether a request has begun and not ended. */
        public boolean midMessage() {
            return !parser.isStart() && error == null;
        }

        @Override
        public void startRequest(String m, String u, HttpVersion v) {
            method = m;
            uri = u;
            version = v == null ? "?" : v.asString();
            headers = new ArrayList<>();
            trailers = new ArrayList<>();
            body = new ByteArrayOutputStream();
        }

        @Override
        public void parsedHeader(HttpField field) {
            headers.add(new String[] {field.getName(), field.getValue() == null ? "" : field.getValue()});
        }

        @Override
        public void parsedTrailer(HttpField field) {
            trailers.add(new String[] {field.getName(), field.getValue() == null ? "" : field.getValue()});
        }

        @Override
        public boolean headerComplete() {
            return false;
        }

        @Override
        public boolean content(ByteBuffer item) {
            byte[] b = new byte[item.remaining()];
            item.get(b);
            body.write(b, 0, b.length);
            return false;
        }

        @Override
        public boolean contentComplete() {
            return false;
        }

        @Override
        public boolean messageComplete() {
            done.add(new Request(method, uri, version, headers, body.toByteArray(), trailers));
            return true;
        }

        @Override
        public void earlyEOF() {
            error = "early EOF";
        }

        @Override
        public void badMessage(HttpException failure) {
            error = failure.getCode() + " " + failure.getReason();
        }
    }

    /** Every request in {@code bytes}, as a server with this compliance would read them. */
    public static Result parseAll(byte[] bytes, HttpCompliance compliance) {
        Stream s = new Stream(compliance);
        List<Request> requests = s.feed(ByteBuffer.wrap(bytes));
        return new Result(requests, s.error(), s.midMessage());
    }

    /** Lower-case names, for comparisons. */
    public static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
