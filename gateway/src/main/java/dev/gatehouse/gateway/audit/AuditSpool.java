package dev.gatehouse.gateway.audit;

import dev.gatehouse.core.net.IpAddress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The append-only local file that holds audit batches while the database is unreachable: one event
 * per line in PostgreSQL's COPY text format ({@link CopyText}); each batch is forced to disk (fsync) before the writer moves on.
 * A line cut short by a crash (no newline) is ignored on reading. Replayed in order, then deleted.
 */
final class AuditSpool {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AuditSpool.class);
    static final String FILE = "access-events.spool";
    private final Path file;

    AuditSpool(Path dir) throws IOException {
        Files.createDirectories(dir);
        this.file = dir.resolve(FILE);
    }

    Path file() {
        return file;
    }

    boolean hasPending() {
        return Files.exists(file);
    }

    long bytes() {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Appends a batch and forces it to disk. */
    void append(List<AuditEvent> batch) throws IOException {
        StringBuilder sb = new StringBuilder(batch.size() * 200);
        for (AuditEvent e : batch) {
            CopyText.row(sb, e); // the spool speaks PostgreSQL's COPY text format too
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(false);
        }
    }

    /** Every complete event in the file, in order. */
    List<AuditEvent> readAll() throws IOException {
        List<AuditEvent> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int start = 0;
        int nl;
        int damaged = 0;
        while ((nl = text.indexOf('\n', start)) >= 0) {
            AuditEvent e = parse(text.substring(start, nl));
            if (e != null) {
                out.add(e);
            } else {
                damaged++;
            }
            start = nl + 1;
        }
        if (damaged > 0) {
            log.warn("Audit spool {}: {} damaged lines skipped", file, damaged);
        }
        return out;
    }

    void delete() throws IOException {
        Files.deleteIfExists(file);
    }

    private static AuditEvent parse(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 16) {
            return null; // damaged: skipped, never guessed at
        }
        String[] v = new String[f.length];
        for (int i = 0; i < f.length; i++) {
            v[i] = unescape(f[i]);
        }
        try {
            return new AuditEvent(Instant.parse(v[0]), UUID.fromString(v[1]), uuid(v[2]), uuid(v[3]), uuid(v[4]),
                    IpAddress.parse(v[5]), v[6] == null ? null : IpAddress.parse(v[6]), v[7], v[8],
                    v[9] == null ? 0 : Integer.parseInt(v[9]), v[10], uuid(v[11]), v[12], v[13], v[14],
                    Integer.parseInt(v[15]));
        } catch (RuntimeException e) { // a value that does not parse: damaged too
            return null;
        }
    }

    private static UUID uuid(String s) {
        return s == null ? null : UUID.fromString(s);
    }

    private static String unescape(String s) {
        if (s.equals("\\N")) {
            return null;
        }
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                sb.append(switch (n) {
                    case 't' -> '\t';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    default -> n;
                });
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
