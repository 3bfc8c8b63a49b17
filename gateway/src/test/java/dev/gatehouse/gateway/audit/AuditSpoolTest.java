package dev.gatehouse.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.net.IpAddress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool on its own: records in, records out, whatever the disk does. */
class AuditSpoolTest {
    @TempDir
    Path dir;

    static List<AuditEvent> batch(String marker, int n) {
        List<AuditEvent> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(AuditEvent.request(Instant.parse("2026-11-28T06:00:00Z").plusMillis(i), EventIds.next(), null, null,
                    null, IpAddress.parse("192.0.2." + (i % 250 + 1)), null, "GET", "/" + marker + "/" + i, 200, "allow",
                    null, "agent", marker + "-" + i));
        }
        return out;
    }

    static List<AuditEvent> drain(AuditSpool spool) throws IOException {
        return AuditWriterIT.readAll(spool);
    }

    @Test
    void segmentsRollAtTheirSizeAndAreDeletedOnceReplayed() throws Exception {
        AuditSpool spool = new AuditSpool(dir, 1L << 30, 64 * 1024);
        List<AuditEvent> all = new ArrayList<>();
        for (int b = 0; b < 100; b++) {
            List<AuditEvent> batch = batch("b" + b, 50);
            spool.append(batch);
            all.addAll(batch);
        }
        assertThat(spool.bytes()).isGreaterThan(5 * 64 * 1024);
        assertThat(spool.segmentCount()).as("in 64 KB segments").isGreaterThan(4);
        long bytes = spool.bytes();
        try (var files = Files.list(dir)) {
            assertThat(files.mapToLong(f -> f.toFile().length()).sum()).isEqualTo(bytes);
        }
        spool.close();

        AuditSpool reopened = new AuditSpool(dir, 1L << 30, 64 * 1024);
        assertThat(reopened.bytes()).isEqualTo(bytes);
        assertThat(drain(reopened)).isEqualTo(all);
        assertThat(reopened.bytes()).isZero();
        try (var files = Files.list(dir)) {
            assertThat(files.count()).isZero();
        }
    }

    @Test
    void pastItsCapacityTheSpoolRefusesABatch() throws Exception {
        AuditSpool spool = new AuditSpool(dir, 100 * 1024, 64 * 1024);
        int appended = 0;
        while (true) {
            try {
                spool.append(batch("c" + appended, 50));
                appended++;
            } catch (AuditSpool.SpoolFullException e) {
                assertThat(e.getMessage()).contains("gatehouse.audit.spool-max-size");
                break;
            }
        }
        assertThat(spool.bytes()).isLessThanOrEqualTo(100 * 1024);
        assertThat(drain(spool)).hasSize(appended * 50);
        spool.append(batch("after", 1)); // room again once replayed
    }

    /**
     * A disk that fills mid-append: the half-written record is cut back, the next batch appends cleanly, and the
     * replay gives back exactly the batches whose append succeeded — not one event of the failed one, none lost.
     */
    @Test
    void aFailedAppendIsCutBackAndCostsOnlyItsOwnBatch() throws Exception {
        AtomicLong budget = new AtomicLong(Long.MAX_VALUE);
        AuditSpool spool = new AuditSpool(dir, 1L << 30, 1L << 20,
                (p, options) -> new FillingDisk(FileChannel.open(p, options), budget));
        List<AuditEvent> kept = new ArrayList<>();
        List<AuditEvent> first = batch("first", 20);
        spool.append(first);
        kept.addAll(first);
        budget.set(500); // the disk fills 500 bytes into the next append
        assertThatThrownBy(() -> spool.append(batch("lost", 20))).isInstanceOf(IOException.class).hasMessageContaining("No space");
        budget.set(Long.MAX_VALUE); // space again (a log rotated, say)
        List<AuditEvent> third = batch("third", 20);
        spool.append(third);
        kept.addAll(third);
        assertThat(drain(spool)).isEqualTo(kept);
    }

    /** When even the cut-back fails, the segment takes no more appends: the next batch begins a new one. */
    @Test
    void aSegmentThatCannotBeCutBackTakesNoMoreAppends() throws Exception {
        AtomicLong budget = new AtomicLong(Long.MAX_VALUE);
        boolean[] truncateFails = {false};
        AuditSpool spool = new AuditSpool(dir, 1L << 30, 1L << 20, (p, options) -> new FillingDisk(FileChannel.open(p, options), budget) {
            @Override
            public FileChannel truncate(long size) throws IOException {
                if (truncateFails[0]) {
                    throw new IOException("Input/output error");
                }
                return super.truncate(size);
            }
        });
        List<AuditEvent> first = batch("first", 20);
        spool.append(first);
        budget.set(300);
        truncateFails[0] = true;
        assertThatThrownBy(() -> spool.append(batch("lost", 20))).isInstanceOf(IOException.class);
        budget.set(Long.MAX_VALUE);
        truncateFails[0] = false;
        List<AuditEvent> third = batch("third", 20);
        spool.append(third);
        assertThat(spool.segmentCount()).isEqualTo(2);
        List<AuditEvent> kept = new ArrayList<>(first);
        kept.addAll(third);
        assertThat(drain(spool)).as("the torn tail of the first segment is skipped, the second is whole").isEqualTo(kept);
    }

    @Test
    void anEarlierVersionsSpoolFileIsConvertedIntoSegments() throws Exception {
        List<AuditEvent> old = batch("legacy", 2500);
        StringBuilder sb = new StringBuilder();
        old.forEach(e -> CopyText.row(sb, e));
        sb.append("a damaged line\n2026-11-28T06:00:00Z\tcut short");
        Files.writeString(dir.resolve(AuditSpool.LEGACY_FILE), sb);
        AuditSpool spool = new AuditSpool(dir, 1L << 30, 1L << 20);
        assertThat(Files.exists(dir.resolve(AuditSpool.LEGACY_FILE))).isFalse();
        assertThat(drain(spool)).isEqualTo(old);
    }

    /** A file channel whose disk holds only {@code budget} more bytes: a write past it writes part, then fails. */
    static class FillingDisk extends FileChannel {
        private final FileChannel d;
        private final AtomicLong budget;

        FillingDisk(FileChannel d, AtomicLong budget) {
            this.d = d;
            this.budget = budget;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            long left = budget.get();
            if (left <= 0) {
                throw new IOException("No space left on device");
            }
            if (src.remaining() > left) {
                ByteBuffer part = src.duplicate();
                part.limit(part.position() + (int) left);
                int n = d.write(part, position);
                src.position(src.position() + n);
                budget.set(0);
                return n;
            }
            int n = d.write(src, position);
            if (left != Long.MAX_VALUE) {
                budget.addAndGet(-n);
            }
            return n;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return d.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return d.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return d.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return d.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return d.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            d.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return d.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            d.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            d.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return d.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return d.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return d.read(dst, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return d.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return d.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return d.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            d.close();
        }
    }
}
