package dev.gatehouse.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import org.junit.jupiter.api.Test;
import org.postgresql.copy.CopyOut;

class BinaryCopyReaderTest {
    /** A COPY whose stream arrives in the given messages. */
    static final class StubCopyOut implements CopyOut {
        final Deque<byte[]> messages = new ArrayDeque<>();

        StubCopyOut(byte[] stream, int messageSize) {
            for (int i = 0; i < stream.length; i += messageSize) {
                messages.add(Arrays.copyOfRange(stream, i, Math.min(stream.length, i + messageSize)));
            }
        }

        @Override
        public byte[] readFromCopy() {
            return messages.poll();
        }

        @Override
        public byte[] readFromCopy(boolean block) {
            return readFromCopy();
        }

        @Override
        public int getFieldCount() {
            return 2;
        }

        @Override
        public int getFormat() {
            return 1;
        }

        @Override
        public int getFieldFormat(int field) {
            return 1;
        }

        @Override
        public boolean isActive() {
            return !messages.isEmpty();
        }

        @Override
        public void cancelCopy() {
            messages.clear();
        }

        @Override
        public long getHandledRowCount() {
            return 0;
        }
    }

    /** Two rows of (bigint, text), the second text NULL, in PostgreSQL's binary COPY format. */
    static byte[] stream() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0});
        out.writeInt(0);
        out.writeInt(3); // a header extension, skipped
        out.write(new byte[] {9, 9, 9});
        out.writeShort(2);
        out.writeInt(8);
        out.writeLong(0x0102030405060708L);
        byte[] text = "2001:db8::/32".getBytes(StandardCharsets.UTF_8);
        out.writeInt(text.length);
        out.write(text);
        out.writeShort(2);
        out.writeInt(8);
        out.writeLong(-2);
        out.writeInt(-1);
        out.writeShort(-1);
        return bytes.toByteArray();
    }

    @Test
    void readsRowsWhereverTheMessagesSplitThem() throws Exception {
        byte[] stream = stream();
        for (int size : new int[] {stream.length, 1, 3, 7, 13}) {
            BinaryCopyReader in = new BinaryCopyReader(new StubCopyOut(stream, size));
            assertThat(in.nextRow()).as("split every %d bytes", size).isEqualTo((short) 2);
            assertThat(in.fieldLength()).isEqualTo(8);
            assertThat(in.readLong()).isEqualTo(0x0102030405060708L);
            int length = in.fieldLength();
            assertThat(in.readText(length)).isEqualTo("2001:db8::/32");
            assertThat(in.nextRow()).isEqualTo((short) 2);
            assertThat(in.fieldLength()).isEqualTo(8);
            assertThat(in.readLong()).isEqualTo(-2);
            assertThat(in.fieldLength()).as("NULL").isEqualTo(-1);
            assertThat(in.nextRow()).as("the end").isEqualTo((short) -1);
        }
    }

    @Test
    void refusesAnythingElseAndAStreamCutShort() throws Exception {
        assertThatThrownBy(() -> new BinaryCopyReader(new StubCopyOut("id,name\n1,first\n2,second\n".getBytes(), 64)))
                .isInstanceOf(SQLException.class).hasMessageContaining("not a binary COPY stream");
        byte[] stream = stream();
        BinaryCopyReader in = new BinaryCopyReader(new StubCopyOut(Arrays.copyOf(stream, 30), 4));
        in.nextRow();
        in.fieldLength();
        assertThatThrownBy(in::readLong).hasMessageContaining("ended early");
    }
}
