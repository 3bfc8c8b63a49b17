package dev.gatehouse.core.sso;

import dev.gatehouse.core.GatehouseException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key-encryption key ({@code gatehouse.sso.key-encryption-key-file}) that seals the single sign-on keys in
 * {@code sso_keys}, so that a database dump alone opens no session and signs no assertion.
 *
 * <p>A key's material is stored as {@code v1:<key id>:<base64url(iv || ciphertext || tag)>}: AES-256-GCM with a fresh
 * 96-bit IV per value, and the row's purpose and kid (with the format and key id) as associated data, so a row's
 * material opens in that row only. The key id is a fingerprint of the key-encryption key (the first 8 bytes of SHA-256
 * over a fixed label and the key): a gateway given another key says so without trying to decrypt. Plain material (a
 * base64url secret, a JSON key) never starts with {@code v<digits>:}, so the two forms tell themselves apart.
 */
public final class KeyEncryption {
    /** The form this class writes. */
    public static final String VERSION = "v1";
    /** Stored material of this form or of a later one (plain material never matches). */
    private static final Pattern ENCRYPTED = Pattern.compile("^v[0-9]+:.*", Pattern.DOTALL);
    /** The same test in SQL, for counting rows. */
    public static final String ENCRYPTED_SQL = "material ~ '^v[0-9]+:'";
    private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{16}");
    private static final byte[] ID_LABEL = "gatehouse sso key-encryption key id\0".getBytes(StandardCharsets.UTF_8);
    private static final int KEY_BYTES = 32;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final String id;
    private final String source;

    private KeyEncryption(byte[] key, String source) {
        this.key = new SecretKeySpec(key, "AES");
        this.id = fingerprint(key);
        this.source = source;
    }

    /**
     * The key given as base64 (standard or url alphabet, padding optional, surrounding whitespace ignored), which must
     * decode to 32 bytes; else IllegalArgumentException saying what is wrong without repeating the text.
     *
     * @param source where the key came from, for messages: "/etc/gatehouse/sso.key
     *               (gatehouse.sso.key-encryption-key-file)", "environment variable GATEHOUSE_SSO_KEY_ENCRYPTION_KEY"
     */
    public static KeyEncryption parse(String text, String source) {
        String t = text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("is empty: expected a 256-bit key as base64 (openssl rand -base64 32)");
        }
        byte[] key;
        try {
            key = (t.indexOf('-') >= 0 || t.indexOf('_') >= 0 ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not base64: expected a 256-bit key as base64 (openssl rand -base64 32)");
        }
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("holds " + key.length + " bytes, not 32: expected a 256-bit key as base64"
                    + " (openssl rand -base64 32)");
        }
        try {
            return new KeyEncryption(key, source);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** The key's id: 16 hex digits, the same on every replica given the same key, and telling nothing of it. */
    public String id() {
        return id;
    }

    /** Where the key came from (a file and its setting, or the environment variable), for messages. */
    public String source() {
        return source;
    }

    /** Whether {@code other} holds the same key (wherever it came from). */
    public boolean sameKey(KeyEncryption other) {
        return MessageDigest.isEqual(key.getEncoded(), other.key.getEncoded());
    }

    /** Whether stored material is encrypted (by this form or a later one) rather than plain. */
    public static boolean isEncrypted(String stored) {
        return ENCRYPTED.matcher(stored).matches();
    }

    /** The id of the key-encryption key stored material is encrypted under; null when it is plain. */
    public static String keyIdOf(String stored) {
        if (!isEncrypted(stored)) {
            return null;
        }
        String[] parts = stored.split(":", 3);
        return parts.length == 3 ? parts[1] : null;
    }

    /** {@code material} of the key {@code kid} (of {@code purpose}), encrypted for {@code sso_keys}. */
    public String seal(String purpose, String kid, String material) {
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            c.updateAAD(associatedData(purpose, kid));
            byte[] sealed = c.doFinal(material.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[IV_BYTES + sealed.length];
            System.arraycopy(iv, 0, out, 0, IV_BYTES);
            System.arraycopy(sealed, 0, out, IV_BYTES, sealed.length);
            return VERSION + ":" + id + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
        }
    }

    /**
     * The plain material of stored material that {@link #isEncrypted is encrypted}, or {@link Refused} saying why not
     * (another key-encryption key, altered or moved material, an unknown form) in words that name this key's source.
     */
    public String open(String purpose, String kid, String stored) {
        String[] parts = stored.split(":", 3);
        if (parts.length != 3 || !parts[0].equals(VERSION)) {
            throw new Refused("is stored in a form this Gatehouse does not know (" + parts[0] + "; it writes " + VERSION
                    + "): a newer version wrote it");
        }
        if (!KEY_ID.matcher(parts[1]).matches()) {
            throw new Refused("is not stored as Gatehouse writes it (the key id is malformed)");
        }
        if (!parts[1].equals(id)) {
            throw new Refused("is encrypted under key-encryption key " + parts[1] + ", not under " + this
                    + ": every replica needs the same key");
        }
        byte[] sealed;
        try {
            sealed = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new Refused("is not stored as Gatehouse writes it (not base64url)");
        }
        if (sealed.length < IV_BYTES + TAG_BITS / 8) {
            throw new Refused("is not stored as Gatehouse writes it (too short)");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, IV_BYTES));
            c.updateAAD(associatedData(purpose, kid));
            return new String(c.doFinal(sealed, IV_BYTES, sealed.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new Refused("does not decrypt with " + this + ": it was altered, or copied from another row");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
        }
    }

    /** The format, key id, purpose and kid: what binds the material to its row (kid and purpose hold no ':'). */
    private byte[] associatedData(String purpose, String kid) {
        return ("gatehouse sso_keys " + VERSION + ":" + id + ":" + purpose + ":" + kid).getBytes(StandardCharsets.UTF_8);
    }

    private static String fingerprint(byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(ID_LABEL);
            return HexFormat.of().formatHex(sha.digest(key), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** Never the key: its id and where it came from. */
    @Override
    public String toString() {
        return "key-encryption key " + id + " from " + source;
    }

    /** Stored material this key does not open; the message completes "SSO session key KID in sso_keys …". */
    public static final class Refused extends GatehouseException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }
}
