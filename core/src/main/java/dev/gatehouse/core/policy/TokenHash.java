package dev.gatehouse.core.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The SHA-256 of an API token secret: the only form in which Gatehouse stores or looks up tokens. */
public record TokenHash(long a, long b, long c, long d) {
    /** One digest per thread: getInstance costs a provider lookup, and tokens are hashed on every request. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    });

    public static TokenHash of(byte[] sha256) {
        if (sha256.length != 32) {
            throw new IllegalArgumentException("a SHA-256 has 32 bytes");
        }
        return new TokenHash(word(sha256, 0), word(sha256, 8), word(sha256, 16), word(sha256, 24));
    }

    public static TokenHash ofSecret(CharSequence secret) {
        return of(sha256(secret));
    }

    public static byte[] sha256(CharSequence secret) {
        return SHA256.get().digest(secret.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static long word(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }
}
