package dev.gatehouse.gateway.request;

import io.netty.handler.codec.http.HttpRequest;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids: a trusted proxy's X-Request-Id (nginx's $request_id) when it is sane, so one id
 * follows the request through every log; otherwise 16 random hex digits.
 */
public final class RequestIds {
    public static final String HEADER = "X-Request-Id";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {
    }

    public static String next() {
        long v = ThreadLocalRandom.current().nextLong();
        char[] c = new char[16];
        for (int i = 15; i >= 0; i--) {
            c[i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
        return new String(c);
    }

    public static String incomingOrNew(HttpRequest head, boolean peerTrusted) {
        if (peerTrusted) {
            String incoming = head.headers().get(HEADER);
            if (incoming != null && sane(incoming)) {
                return incoming;
            }
        }
        return next();
    }

    private static boolean sane(String id) {
        if (id.isEmpty() || id.length() > 128) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')) {
                return false;
            }
        }
        return true;
    }
}
