package dev.gatehouse.core.sso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.config.ConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key-encryption key: from a file or the environment, and every way it can be wrong as one line. */
class SsoSettingsTest {
    @TempDir
    Path dir;

    static final String KEY = KeyEncryptionTest.randomKey();

    private SsoSettings load(String keyFileText, Map<String, String> env) throws IOException {
        Path conf = dir.resolve("gatehouse.conf");
        String line = "";
        if (keyFileText != null) {
            Path key = Files.writeString(dir.resolve("sso.key"), keyFileText);
            line = "gatehouse.sso.key-encryption-key-file = \"" + key + "\"\n";
        }
        Files.writeString(conf, line);
        return SsoSettings.from(ConfigLoader.load(conf, env));
    }

    @Test
    void noKeyByDefault() throws IOException {
        assertThat(load(null, Map.of()).keyEncryption()).isNull();
    }

    @Test
    void theKeyComesFromTheFileOrTheVariable() throws IOException {
        KeyEncryption fromFile = load(KEY + "\n", Map.of()).keyEncryption(); // as openssl rand -base64 32 writes it
        assertThat(fromFile.source()).isEqualTo(dir.resolve("sso.key") + " (gatehouse.sso.key-encryption-key-file)");
        KeyEncryption fromEnv = load(null, Map.of("GATEHOUSE_SSO_KEY_ENCRYPTION_KEY", KEY)).keyEncryption();
        assertThat(fromEnv.source()).isEqualTo("environment variable GATEHOUSE_SSO_KEY_ENCRYPTION_KEY");
        assertThat(fromEnv.id()).isEqualTo(fromFile.id());
        String url = Base64.getUrlEncoder().withoutPadding().encodeToString(Base64.getDecoder().decode(KEY));
        assertThat(load(" " + url + " ", Map.of("GATEHOUSE_SSO_KEY_ENCRYPTION_KEY", KEY)).keyEncryption().id())
                .as("both set, the same key in either alphabet").isEqualTo(fromFile.id());
        assertThat(load(null, Map.of()).toString()).doesNotContain(KEY);
    }

    @Test
    void aWrongKeyStopsTheStartWithOneLineNamingTheFileOrTheVariable() throws IOException {
        Path key = dir.resolve("sso.key");
        assertThatThrownBy(() -> load("", Map.of())).isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("configuration: gatehouse.sso.key-encryption-key-file: " + key + " is empty")
                .hasMessageContaining("gatehouse.conf:1");
        assertThatThrownBy(() -> load("hunter2 is my key", Map.of())).isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("configuration: gatehouse.sso.key-encryption-key-file: " + key + " is not base64")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> load(Base64.getEncoder().encodeToString(new byte[24]), Map.of()))
                .hasMessageContaining(key + " holds 24 bytes, not 32");
        assertThatThrownBy(() -> load("x".repeat(5000), Map.of())).hasMessageContaining("is not a key file (5000 bytes)");
        assertThatThrownBy(() -> load(KEY, Map.of("GATEHOUSE_SSO_KEY_ENCRYPTION_KEY", KeyEncryptionTest.randomKey())))
                .isInstanceOf(ConfigError.class).hasMessageContaining(key + " and environment variable"
                        + " GATEHOUSE_SSO_KEY_ENCRYPTION_KEY hold different keys");
        assertThatThrownBy(() -> load(null, Map.of("GATEHOUSE_SSO_KEY_ENCRYPTION_KEY", "")))
                .isInstanceOf(ConfigError.class)
                .hasMessageStartingWith("configuration: environment variable GATEHOUSE_SSO_KEY_ENCRYPTION_KEY is empty");
        assertThatThrownBy(() -> load(null, Map.of("GATEHOUSE_SSO_KEY_ENCRYPTION_KEY", "c2hvcnQ=")))
                .hasMessageContaining("GATEHOUSE_SSO_KEY_ENCRYPTION_KEY holds 5 bytes, not 32");

        Path conf = Files.writeString(dir.resolve("missing.conf"),
                "gatehouse.sso.key-encryption-key-file = \"" + dir.resolve("nowhere.key") + "\"\n");
        assertThatThrownBy(() -> SsoSettings.from(ConfigLoader.load(conf, Map.of()))).isInstanceOf(ConfigError.class)
                .hasMessage("configuration: gatehouse.sso.key-encryption-key-file: cannot read " + dir.resolve("nowhere.key")
                        + ": no such file (" + conf + ":1)");
    }
}
