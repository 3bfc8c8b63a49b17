package dev.gatehouse.gateway.audit;

import dev.gatehouse.core.GatehouseException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One gateway per directory that only one gateway may use (the audit spool: two writers would replay each other's
 * segments): an OS lock on {@code gateway.lock} in it, held for the gateway's life and released by the OS when the
 * process dies, so a crash leaves nothing to clean up. The file says who holds it (process id, start time, where it
 * listens), so a second gateway can say which one is in its way.
 */
public final class InstanceLock implements AutoCloseable {
    static final String FILE = "gateway.lock";

    private final FileChannel channel;
    private final FileLock lock;
    private final String started = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();

    private InstanceLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the directory, or fails naming the gateway that holds it.
     *
     * @param dir    the directory (created when missing)
     * @param what   the directory, for the message ("the audit spool /x (gatehouse.audit.spool-dir), ...")
     * @param remedy what to do instead, for the message
     */
    public static InstanceLock acquire(Path dir, String what, String remedy) {
        Path file = dir.resolve(FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by another gateway in this very process
            }
            if (lock == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).strip().replace('\n', ' ');
                channel.close();
                throw new GatehouseException("another Gatehouse gateway" + (holder.isEmpty() ? "" : " (" + holder + ")")
                        + " is running on " + what + ": stop it, or " + remedy);
            }
            InstanceLock l = new InstanceLock(channel, lock);
            l.describe(null);
            return l;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new GatehouseException("cannot lock " + file + " (" + what + "): " + e.getMessage(), e);
        }
    }

    /** Records where the gateway listens, once it does (shown to a gateway that finds the directory taken). */
    public void listening(String url) {
        try {
            describe(url);
        } catch (IOException e) {
            // only the description of the holder is lost: the lock itself holds
        }
    }

    private void describe(String url) throws IOException {
        String text = "pid " + ProcessHandle.current().pid() + ", started " + started
                + (url == null ? "" : ", listening on " + url) + "\n";
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(false);
    }

    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                channel.truncate(0); // the file stays (deleting it would race a gateway opening it); its text goes
                lock.release();
            }
        } catch (IOException e) {
            // the process's exit releases it anyway
        } finally {
            closeQuietly(channel);
        }
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // nothing more to do
            }
        }
    }
}
