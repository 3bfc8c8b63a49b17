package dev.gatehouse.gateway.audit;

import dev.gatehouse.core.net.IpAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.time.Instant;
import java.util.UUID;

/**
 * Rows in PostgreSQL's binary COPY format (the "COPY BINARY" section of the COPY reference): each value
 * as the type's own send/receive form, so the server parses no text — no timestamps, UUIDs or
 * addresses read from characters. Values are what {@link CopyText} would have sent: text with control
 * characters other than tab, newline and carriage return blanked (PostgreSQL text holds no NUL).
 */
final class CopyBinary {
    /** The signature, then flags and header-extension length, both 0. */
    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    private static final short FIELDS = 16;
    /** timestamptz counts microseconds from 2000-01-01T00:00:00Z. */
    private static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;
    /** PostgreSQL's own family numbers in inet's binary form (PGSQL_AF_INET, PGSQL_AF_INET6). */
    private static final byte PGSQL_AF_INET = 2;
    private static final byte PGSQL_AF_INET6 = 3;

    private CopyBinary() {
    }

    static void header(ByteBuf out) {
        out.writeBytes(SIGNATURE).writeInt(0).writeInt(0);
    }

    static void trailer(ByteBuf out) {
        out.writeShort(-1);
    }

    /** One row, columns in {@link AuditWriter#COPY}'s order. */
    static void row(ByteBuf out, AuditEvent e) {
        out.writeShort(FIELDS);
        timestamp(out, e.ts());
        uuid(out, e.eventId());
        uuid(out, e.orgId());
        uuid(out, e.appId());
        uuid(out, e.accountId());
        inet(out, e.clientIp());
        inet(out, e.peerIp());
        text(out, e.method());
        text(out, e.path());
        if (e.status() == 0) {
            out.writeInt(-1);
        } else {
            out.writeInt(2).writeShort(e.status());
        }
        text(out, e.decision());
        uuid(out, e.policyId());
        text(out, e.userAgent());
        text(out, e.requestId());
        text(out, e.eventType());
        out.writeInt(4).writeInt(e.count());
    }

    static void timestamp(ByteBuf out, Instant ts) {
        long micros = Math.addExact(Math.multiplyExact(ts.getEpochSecond(), 1_000_000L), ts.getNano() / 1000);
        out.writeInt(8).writeLong(micros - POSTGRES_EPOCH_MICROS);
    }

    private static void uuid(ByteBuf out, UUID id) {
        if (id == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(16).writeLong(id.getMostSignificantBits()).writeLong(id.getLeastSignificantBits());
        }
    }

    /** inet's binary form: family, prefix bits, is-cidr flag, address length, address bytes. */
    static void inet(ByteBuf out, IpAddress a) {
        if (a == null) {
            out.writeInt(-1);
        } else if (a.isV4()) {
            out.writeInt(8).writeByte(PGSQL_AF_INET).writeByte(32).writeByte(0).writeByte(4).writeInt((int) a.lo());
        } else {
            out.writeInt(20).writeByte(PGSQL_AF_INET6).writeByte(128).writeByte(0).writeByte(16)
                    .writeLong(a.hi()).writeLong(a.lo());
        }
    }

    /** UTF-8, length first; plain ASCII (nearly every value) copied as it is. */
    static void text(ByteBuf out, String s) {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        int lengthAt = out.writerIndex();
        out.writeInt(0);
        if (plainAscii(s)) {
            ByteBufUtil.writeAscii(out, s);
        } else {
            ByteBufUtil.writeUtf8(out, StoredText.of(s)); // unpaired surrogates become '?'
        }
        out.setInt(lengthAt, out.writerIndex() - lengthAt - 4);
    }

    private static boolean plainAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
