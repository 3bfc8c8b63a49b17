package dev.gatehouse.gateway.proxy;

import java.util.concurrent.ThreadLocalRandom;

/** Request ids: 16 random hex digits, unique enough to find one request in the logs. */
final class RequestIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {
    }

    static String next() {
        long v = ThreadLocalRandom.current().nextLong();
        char[] c = new char[16];
        for (int i = 15; i >= 0; i--) {
            c[i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
        return new String(c);
    }
}
