package dev.gatehouse.gateway.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Reads a spool directory from outside the writer (another process's, say): how many whole events it holds. */
public final class SpoolContents {
    private SpoolContents() {
    }

    /** Events in every whole record of every segment; 0 for a directory that does not exist. */
    public static long events(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long events = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.getFileName().toString().startsWith("segment-"))::iterator) {
                ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p));
                while (b.remaining() >= AuditSpool.HEADER) {
                    int length = b.getInt();
                    b.getInt(); // checksum
                    if (length < 0 || length > b.remaining()) {
                        break;
                    }
                    for (int i = 0; i < length; i++) {
                        if (b.get() == '\n') {
                            events++;
                        }
                    }
                }
            }
        }
        return events;
    }

    /** Whether the directory holds any segment. */
    public static boolean pending(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith("segment-"));
        }
    }
}
