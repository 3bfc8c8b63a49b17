package dev.gatehouse.core.sso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class KeyEncryptionTest {
    static String randomKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    static final String KEY = randomKey();
    static final KeyEncryption KEK = KeyEncryption.parse(KEY, "/etc/gatehouse/sso.key (gatehouse.sso.key-encryption-key-file)");
    static final String SECRET = "n2p0Yb2m7yqQm5yq8M1mY0y3x2w1v0u9t8s7r6q5p4o";

    @Test
    void materialRoundTripsAndIsStoredAsAVersionedSelfDescribingText() {
        String stored = KEK.seal("session", "kid-12345678", SECRET);
        assertThat(stored).startsWith("v1:" + KEK.id() + ":").doesNotContain(SECRET);
        assertThat(KEK.id()).matches("[0-9a-f]{16}");
        assertThat(KeyEncryption.isEncrypted(stored)).isTrue();
        assertThat(KeyEncryption.keyIdOf(stored)).isEqualTo(KEK.id());
        assertThat(KEK.open("session", "kid-12345678", stored)).isEqualTo(SECRET);
        assertThat(KEK.seal("session", "kid-12345678", SECRET)).as("a fresh IV each time").isNotEqualTo(stored);
        String jwk = "{\"kty\":\"EC\",\"crv\":\"P-256\",\"d\":\"…\"}";
        assertThat(KEK.open("assertion", "kid-2", KEK.seal("assertion", "kid-2", jwk))).isEqualTo(jwk);
    }

    @Test
    void plainMaterialIsToldApart() {
        assertThat(KeyEncryption.isEncrypted(SECRET)).isFalse();
        assertThat(KeyEncryption.isEncrypted("v1AbC-_xyz")).as("a base64url secret starting with v1").isFalse();
        assertThat(KeyEncryption.isEncrypted("{\"kty\":\"EC\"}")).isFalse();
        assertThat(KeyEncryption.keyIdOf(SECRET)).isNull();
        assertThat(KeyEncryption.isEncrypted("v2:0011223344556677:abc")).as("a later form is not plain").isTrue();
    }

    @Test
    void alteredMaterialIsRefused() {
        String stored = KEK.seal("session", "kid-12345678", SECRET);
        byte[] raw = Base64.getUrlDecoder().decode(stored.substring(stored.lastIndexOf(':') + 1));
        raw[raw.length - 20] ^= 1; // a bit of the ciphertext
        String altered = stored.substring(0, stored.lastIndexOf(':') + 1)
                + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        assertThatThrownBy(() -> KEK.open("session", "kid-12345678", altered)).isInstanceOf(KeyEncryption.Refused.class)
                .hasMessageContaining("does not decrypt").hasMessageContaining("/etc/gatehouse/sso.key");
        assertThatThrownBy(() -> KEK.open("session", "kid-12345678", stored.substring(0, 30)))
                .isInstanceOf(KeyEncryption.Refused.class);
    }

    @Test
    void materialMovedToAnotherRowIsRefused() {
        String stored = KEK.seal("session", "kid-12345678", SECRET);
        assertThatThrownBy(() -> KEK.open("session", "kid-other", stored)).isInstanceOf(KeyEncryption.Refused.class)
                .hasMessageContaining("copied from another row");
        assertThatThrownBy(() -> KEK.open("assertion", "kid-12345678", stored)).isInstanceOf(KeyEncryption.Refused.class);
    }

    @Test
    void anotherKeyIsNamedWithoutTryingToDecrypt() {
        KeyEncryption other = KeyEncryption.parse(randomKey(), "environment variable GATEHOUSE_SSO_KEY_ENCRYPTION_KEY");
        String stored = other.seal("session", "kid-12345678", SECRET);
        assertThat(other.id()).isNotEqualTo(KEK.id());
        assertThatThrownBy(() -> KEK.open("session", "kid-12345678", stored)).isInstanceOf(KeyEncryption.Refused.class)
                .hasMessage("is encrypted under key-encryption key " + other.id() + ", not under key-encryption key "
                        + KEK.id() + " from /etc/gatehouse/sso.key (gatehouse.sso.key-encryption-key-file): every replica"
                        + " needs the same key");
        assertThatThrownBy(() -> KEK.open("session", "k", "v2:" + KEK.id() + ":AAAA")).hasMessageContaining("newer version");
    }

    @Test
    void theKeyIsBase64Of32BytesInEitherAlphabetAndItsIdDependsOnTheKeyOnly() {
        byte[] raw = Base64.getDecoder().decode(KEY);
        KeyEncryption url = KeyEncryption.parse("  " + Base64.getUrlEncoder().withoutPadding().encodeToString(raw) + "\n", "x");
        assertThat(url.id()).isEqualTo(KEK.id());
        assertThat(url.sameKey(KEK)).isTrue();
        assertThat(url.open("session", "kid-12345678", KEK.seal("session", "kid-12345678", SECRET))).isEqualTo(SECRET);
        assertThat(KeyEncryption.parse(KEY.replace("=", ""), "x").sameKey(KEK)).as("padding optional").isTrue();
        assertThat(KEK.toString()).doesNotContain(KEY).doesNotContain(KEY.substring(0, 10));

        assertThatThrownBy(() -> KeyEncryption.parse(" \n", "x")).hasMessageContaining("is empty");
        assertThatThrownBy(() -> KeyEncryption.parse("not base64!", "x")).hasMessageStartingWith("is not base64");
        assertThatThrownBy(() -> KeyEncryption.parse(Base64.getEncoder().encodeToString(new byte[16]), "x"))
                .hasMessageStartingWith("holds 16 bytes, not 32");
    }
}
