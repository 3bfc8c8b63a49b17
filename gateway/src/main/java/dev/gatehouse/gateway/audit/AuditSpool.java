package dev.gatehouse.gateway.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit writer's write-ahead log: batches that could not reach the database within the write bound, kept on
 * local disk until they are replayed, in order and exactly once (the replay skips events already written).
 *
 * <p><b>Segments.</b> The spool is a directory of append-only segment files ({@code segment-0000000000000042.spool}),
 * each at most about {@code segmentBytes}. A segment holds records, one per batch: a 4-byte length, a 4-byte CRC32C
 * of the payload, and the payload — the batch's events as lines of PostgreSQL's COPY text format ({@link CopyText}).
 * Every append is forced to disk before the writer moves on. The newest segment takes appends; the replay reads the
 * oldest one record at a time (memory bounded by one batch, whatever the spool's size) and deletes a segment once
 * every record of it is written.
 *
 * <p><b>Torn writes.</b> An append that fails part-way (a full disk) is cut back to the end of the last whole record,
 * so the next append starts clean; if even that fails, the segment takes no more appends. A record whose length or
 * checksum does not hold (a crash mid-append) ends its segment's replay: the bytes from there on belong to the batch
 * whose append failed, which was counted as dropped, never to an answered request.
 *
 * <p><b>Capacity.</b> Past {@code maxBytes} an append is refused ({@link SpoolFullException}); the caller counts the
 * batch as dropped. Used by the writer thread only.
 */
final class AuditSpool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AuditSpool.class);
    /** The single-file spool of earlier versions: converted into segments when found. */
    static final String LEGACY_FILE = "access-events.spool";
    static final int HEADER = 8;
    private static final String PREFIX = "segment-";
    private static final String SUFFIX = ".spool";

    /** An append refused because the spool is at its capacity. */
    static final class SpoolFullException extends IOException {
        private static final long serialVersionUID = 1L;

        SpoolFullException(String message) {
            super(message);
        }
    }

    /** A record read for the replay: its events, and where the next record starts. */
    record Record(long segment, long offset, long next, List<AuditEvent> events) {
    }

    /** How segment files are opened: FileChannel.open, or a test's faulty disk. */
    interface Opener {
        FileChannel open(Path p, java.nio.file.OpenOption... options) throws IOException;
    }

    private final Opener opener;
    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    /** Segment number -> size in bytes, oldest first. */
    private final TreeMap<Long, Long> segments = new TreeMap<>();
    private long total;
    /** The segment taking appends (the newest), its channel and the end of its last whole record. */
    private long active = -1;
    private FileChannel activeChannel;
    private boolean activeBroken;
    /** The replay's position in the oldest segment. */
    private long readSegment = -1;
    private long readOffset;

    AuditSpool(Path dir, long maxBytes, long segmentBytes) throws IOException {
        this(dir, maxBytes, segmentBytes, FileChannel::open);
    }

    AuditSpool(Path dir, long maxBytes, long segmentBytes, Opener opener) throws IOException {
        this.opener = opener;
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        Files.createDirectories(dir);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*" + SUFFIX)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                try {
                    long n = Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
                    long size = Files.size(p);
                    if (size == 0) {
                        Files.delete(p);
                    } else {
                        segments.put(n, size);
                        total += size;
                    }
                } catch (NumberFormatException e) {
                    log.warn("Audit spool {}: {} is not a segment, left alone", dir, name);
                }
            }
        }
        Path legacy = dir.resolve(LEGACY_FILE);
        if (Files.exists(legacy)) {
            convertLegacy(legacy);
        }
    }

    Path dir() {
        return dir;
    }

    boolean hasPending() {
        return !segments.isEmpty();
    }

    /** Bytes on disk, every segment counted. */
    long bytes() {
        return total;
    }

    int segmentCount() {
        return segments.size();
    }

    /** Appends a batch as one record and forces it to disk. */
    void append(List<AuditEvent> batch) throws IOException {
        StringBuilder sb = new StringBuilder(batch.size() * 200);
        for (AuditEvent e : batch) {
            CopyText.row(sb, e);
        }
        byte[] payload = sb.toString().getBytes(StandardCharsets.UTF_8);
        long size = HEADER + (long) payload.length;
        if (total + size > maxBytes) {
            throw new SpoolFullException("the spool holds " + total + " bytes, at its limit of " + maxBytes
                    + " (gatehouse.audit.spool-max-size)");
        }
        FileChannel ch = activeForAppend();
        long start = segments.get(active);
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        CRC32C crc = new CRC32C();
        crc.update(payload);
        buf.putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
        try {
            while (buf.hasRemaining()) {
                ch.write(buf, start + buf.position());
            }
            ch.force(false);
        } catch (IOException e) {
            cutBack(ch, start);
            throw e;
        }
        segments.put(active, start + size);
        total += size;
    }

    /** After a failed append: the segment back to its last whole record, or no more appends to it. */
    private void cutBack(FileChannel ch, long end) {
        try {
            ch.truncate(end);
            ch.force(false);
        } catch (IOException e) {
            log.warn("Audit spool segment {} cannot be cut back after a failed append ({}): it takes no more appends",
                    active, e.getMessage());
            activeBroken = true;
        }
    }

    private FileChannel activeForAppend() throws IOException {
        if (activeChannel != null && (activeBroken || segments.get(active) >= segmentBytes || active == readSegment)) {
            seal();
        }
        if (activeChannel == null) {
            long n = segments.isEmpty() ? 1 : segments.lastKey() + 1;
            activeChannel = opener.open(segment(n), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            active = n;
            activeBroken = false;
            segments.put(n, 0L);
        }
        return activeChannel;
    }

    /** The newest segment takes no more appends (the next append opens a new one). */
    private void seal() {
        if (activeChannel != null) {
            try {
                activeChannel.close();
            } catch (IOException e) {
                log.debug("closing spool segment {}: {}", active, e.toString());
            }
            activeChannel = null;
            if (segments.getOrDefault(active, 1L) == 0L) {
                segments.remove(active);
                deleteQuietly(segment(active));
            }
            active = -1;
        }
    }

    /**
     * The next record to replay, from the oldest segment (sealing it first if it is the one taking appends), or
     * null when the spool is empty. Read again until {@link #written} says it is in.
     */
    Record next() throws IOException {
        return next(null);
    }

    /**
     * The record after {@code previous} (read but not yet written) in the same segment, or null at the segment's
     * end; with no previous record, {@link #next()}.
     */
    Record next(Record previous) throws IOException {
        if (previous != null) {
            long size = segments.getOrDefault(previous.segment(), 0L);
            if (previous.segment() != readSegment || previous.next() >= size) {
                return null;
            }
            return read(previous.segment(), previous.next(), size);
        }
        while (!segments.isEmpty()) {
            long n = segments.firstKey();
            if (n == active) {
                seal();
                if (!segments.containsKey(n)) {
                    continue;
                }
            }
            if (readSegment != n) {
                readSegment = n;
                readOffset = 0;
            }
            long size = segments.get(n);
            if (readOffset >= size) {
                finishSegment(n);
                continue;
            }
            Record r = read(n, readOffset, size);
            if (r == null) {
                tornTail(n, size);
                continue;
            }
            return r;
        }
        return null;
    }

    /** The record at {@code offset} of segment {@code n}, or null when it is torn (length or checksum wrong). */
    private Record read(long n, long offset, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(segment(n), StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            readFully(ch, header, offset);
            int length = header.getInt(0);
            int sum = header.getInt(4);
            if (header.hasRemaining() || length < 0 || offset + HEADER + length > size) {
                return null;
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            readFully(ch, payload, offset + HEADER);
            CRC32C crc = new CRC32C();
            crc.update(payload.array(), 0, length);
            if ((int) crc.getValue() != sum) {
                return null;
            }
            List<AuditEvent> events = parse(new String(payload.array(), 0, length, StandardCharsets.UTF_8), n);
            return new Record(n, offset, offset + HEADER + length, events);
        }
    }

    /** The record is in the database: the replay moves past it (and deletes its segment when that was the last). */
    void written(Record r) throws IOException {
        if (r.segment() == readSegment && r.offset() == readOffset) {
            readOffset = r.next();
            if (readOffset >= segments.getOrDefault(r.segment(), 0L)) {
                finishSegment(r.segment());
            }
        }
    }

    private void tornTail(long n, long size) throws IOException {
        log.warn("Audit spool segment {}: a torn record at byte {}; the {} bytes from there are the rest of a batch"
                + " whose append failed (counted as dropped then), skipped", n, readOffset, size - readOffset);
        finishSegment(n);
    }

    private void finishSegment(long n) throws IOException {
        Long size = segments.remove(n);
        total -= size == null ? 0 : size;
        Files.deleteIfExists(segment(n));
        readSegment = -1;
        readOffset = 0;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long at) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf, at + buf.position()) < 0) {
                return;
            }
        }
    }

    private List<AuditEvent> parse(String text, long segment) {
        List<AuditEvent> out = new ArrayList<>();
        int start = 0;
        int nl;
        int damaged = 0;
        while ((nl = text.indexOf('\n', start)) >= 0) {
            AuditEvent e = CopyText.parse(text.substring(start, nl));
            if (e != null) {
                out.add(e);
            } else {
                damaged++;
            }
            start = nl + 1;
        }
        if (damaged > 0) {
            log.warn("Audit spool segment {}: {} lines that do not parse skipped", segment, damaged);
        }
        return out;
    }

    /**
     * A spool left by a version before segments (one file of COPY text lines): read line by line and appended as
     * records of a thousand events, then deleted — memory bounded by one record, whatever its size.
     */
    private void convertLegacy(Path legacy) throws IOException {
        long events = 0;
        long skipped = 0;
        try (BufferedReader in = Files.newBufferedReader(legacy, StandardCharsets.UTF_8)) {
            List<AuditEvent> batch = new ArrayList<>(1000);
            String line;
            while ((line = in.readLine()) != null) {
                AuditEvent e = CopyText.parse(line);
                if (e == null) {
                    skipped++;
                    continue;
                }
                batch.add(e);
                if (batch.size() == 1000) {
                    append(batch);
                    events += batch.size();
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) {
                append(batch);
                events += batch.size();
            }
        }
        seal();
        Files.delete(legacy);
        log.info("Audit spool {}: the earlier version's spool file, {} events, converted into segments ({} lines"
                + " that did not parse skipped)", dir, events, skipped);
    }

    private Path segment(long n) {
        return dir.resolve(String.format("%s%016d%s", PREFIX, n, SUFFIX));
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            log.debug("cannot delete {}: {}", p, e.toString());
        }
    }

    @Override
    public void close() {
        seal();
    }
}
