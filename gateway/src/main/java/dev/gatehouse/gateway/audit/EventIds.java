package dev.gatehouse.gateway.audit;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Random (version 4) UUIDs for audit events from ThreadLocalRandom: ids must be unique, not
 * unpredictable, and UUID.randomUUID()'s SecureRandom costs too much per request on an event loop.
 */
public final class EventIds {
    private EventIds() {
    }

    public static UUID next() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long hi = (r.nextLong() & 0xffffffffffff0fffL) | 0x0000000000004000L;
        long lo = (r.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new UUID(hi, lo);
    }
}
