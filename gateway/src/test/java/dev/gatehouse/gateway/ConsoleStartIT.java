package dev.gatehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** How the console starts or is refused: one line for a console reachable from elsewhere without sign-in. */
class ConsoleStartIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    Path dir;

    @Test
    void boundBeyondLoopbackWithoutSignInOrgTheStartIsRefusedWithOneLine() throws Exception {
        StringWriter err = new StringWriter();
        int code = GatehouseMain.run(new PrintWriter(err, true), Map.of(), "--config", GatewayConfigs.write(dir,
                db.database(), "gatehouse.console { enabled = true, host = \"0.0.0.0\", port = 0 }").toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).matches("gatehouse: configuration: gatehouse.console.host: the console is bound to"
                + " 0\\.0\\.0\\.0, not a loopback address: set console.sign-in-org .* \\(.*gatehouse-\\d+\\.conf:\\d+\\)\n");
    }

    @Test
    void aSignInOrgThatCannotSignAnyoneInRefusesTheStart() throws Exception {
        StringWriter err = new StringWriter();
        int code = GatehouseMain.run(new PrintWriter(err, true), Map.of(), "--config", GatewayConfigs.write(dir,
                db.database(), "gatehouse.sso.public-base-url = \"https://gatehouse.example.com\"\n"
                        + "gatehouse.console { enabled = true, host = \"0.0.0.0\", port = 0, sign-in-org = Nobody,"
                        + " allow = [\"10.0.0.0/8\"] }").toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("gatehouse: gatehouse.console.sign-in-org = \"Nobody\": no such organisation"
                + " (gatehouse-admin org list)\n");
    }

    @Test
    void theZeroConfigStartIsTheOneWithoutAConfigFile() {
        assertThat(new GatehouseMain(Map.of()).zeroConfig()).isTrue();
        assertThat(new GatehouseMain(Map.of("GATEHOUSE_CONFIG", "/etc/gatehouse.conf")).zeroConfig()).isFalse();
        GatehouseMain named = new GatehouseMain(Map.of());
        named.config = Path.of("gatehouse.conf");
        assertThat(named.zeroConfig()).isFalse();
    }
}
