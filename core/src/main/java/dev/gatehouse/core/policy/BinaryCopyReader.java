package dev.gatehouse.core.policy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;
import org.postgresql.copy.CopyOut;

/**
 * Reads the rows of a {@code COPY ... TO STDOUT (FORMAT binary)} straight from the driver's messages: a signature,
 * flags and a header extension; per row a field count and each field as its length (-1: NULL) and its bytes,
 * big-endian; a field count of -1 at the end. No stream classes between the bytes and the caller (their per-call
 * locking and copying cost a full load more than the parsing), and no copy of a message unless a value spans two
 * (PostgreSQL sends a row per message; the header comes with the first).
 */
final class BinaryCopyReader {
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

    private final CopyOut copy;
    private byte[] buf = new byte[0];
    private int pos;

    BinaryCopyReader(CopyOut copy) throws SQLException {
        this.copy = copy;
        require(SIGNATURE.length + 8);
        if (!Arrays.equals(buf, pos, pos + SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
            throw new SQLException("not a binary COPY stream");
        }
        pos += SIGNATURE.length;
        readInt(); // flags
        int extension = readInt();
        require(extension);
        pos += extension;
    }

    /** The next row's number of fields, or -1 at the end of the stream. */
    short nextRow() throws SQLException {
        require(2);
        short n = (short) SHORT.get(buf, pos);
        pos += 2;
        return n;
    }

    /** A field's length: -1 for NULL, else that many bytes follow. */
    int fieldLength() throws SQLException {
        return readInt();
    }

    int readInt() throws SQLException {
        require(4);
        int v = (int) INT.get(buf, pos);
        pos += 4;
        return v;
    }

    long readLong() throws SQLException {
        require(8);
        long v = (long) LONG.get(buf, pos);
        pos += 8;
        return v;
    }

    byte readByte() throws SQLException {
        require(1);
        return buf[pos++];
    }

    String readText(int length) throws SQLException {
        require(length);
        String s = new String(buf, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return s;
    }

    /** Makes {@code n} bytes available at {@link #pos}, taking the driver's next messages as needed. */
    private void require(int n) throws SQLException {
        while (buf.length - pos < n) {
            byte[] next = copy.readFromCopy();
            if (next == null) {
                throw new SQLException("binary COPY stream ended early");
            }
            if (pos == buf.length) {
                buf = next;
            } else {
                byte[] joined = Arrays.copyOf(Arrays.copyOfRange(buf, pos, buf.length), buf.length - pos + next.length);
                System.arraycopy(next, 0, joined, buf.length - pos, next.length);
                buf = joined;
            }
            pos = 0;
        }
    }
}
