package dev.gatehouse.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.TestUpstream;
import java.io.File;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One sign-in in a real browser (Debian's headless Chromium, driven by Selenium): redirects, cookies and SameSite as
 * a browser really applies them, from the first page to the upstream's answer and back out.
 */
class SsoBrowserIT {
    static final File CHROMIUM = new File("/usr/bin/chromium");
    static final File DRIVER = new File("/usr/bin/chromedriver");

    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    Path dir;

    @Test
    void aBrowserSignsInSeesTheUpstreamsPageAndSignsOut() throws Exception {
        assumeTrue(CHROMIUM.canExecute() && DRIVER.canExecute(),
                "SsoBrowserIT needs Debian's chromium and chromium-driver (.ci/run installs them): not run");
        TestDatabase d = db.database();
        MockOAuth2Server idp = new MockOAuth2Server();
        idp.start();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path secret = Files.writeString(dir.resolve("client.secret"), "the-client-secret\n");
        UUID org = (UUID) d.queryValue("INSERT INTO organisations (name, require_sso) VALUES ('Acme', true) RETURNING id");
        d.update("INSERT INTO accounts (org_id, name, kind, role, email) VALUES (?, 'alice', 'member', 'admin',"
                + " 'alice@acme.test')", org);
        d.update("INSERT INTO sso_providers (org_id, provider_type, name, issuer, client_id, client_secret_ref)"
                + " VALUES (?, 'oidc', 'okta', ?, 'gatehouse', ?)", org, idp.issuerUrl("acme").toString(), "file:" + secret);
        idp.enqueueCallback(new DefaultOAuth2TokenCallback("acme", "user-1", "JWT", List.of("gatehouse"),
                Map.of("email", "alice@acme.test", "email_verified", true), 3600));
        ChromeDriver browser = null;
        try (TestUpstream upstream = new TestUpstream();
             Gateway gateway = Gateway.start(GatewayConfigs.load(dir, d, "gatehouse.listen.port = " + port + "\n"
                     + "gatehouse.sso.public-base-url = \"http://127.0.0.1:" + port + "\"\n"
                     + "gatehouse.routes = [ { prefix = \"/app\", upstream = \"http://127.0.0.1:" + upstream.port()
                     + "\", org = \"Acme\" } ]\n"))) {
            ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--user-data-dir=" + dir.resolve("profile"));
            browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER).usingAnyFreePort()
                    .build(), options);
            browser.get("http://127.0.0.1:" + port + "/app/page?x=1");
            ChromeDriver b = browser;
            new WebDriverWait(browser, Duration.ofSeconds(20)).until(x -> b.getPageSource().contains("seen 0 bytes"));
            assertThat(browser.getCurrentUrl()).as("back on the page it asked for")
                    .isEqualTo("http://127.0.0.1:" + port + "/app/page?x=1");
            TestUpstream.Received seen = upstream.take();
            assertThat(seen.header("X-Gatehouse-Account")).isEqualTo("alice");
            assertThat(seen.header("X-Gatehouse-User-Email")).isEqualTo("alice@acme.test");
            Cookie session = browser.manage().getCookieNamed("__Host-gatehouse");
            assertThat(session).as("the browser keeps the session").isNotNull();
            assertThat(session.isHttpOnly()).isTrue();
            assertThat(session.isSecure()).isTrue();
            assertThat(session.getSameSite()).isEqualTo("Lax");
            assertThat(browser.manage().getCookieNamed("__Host-gatehouse-signin")).as("the sign-in cookie is gone").isNull();

            browser.get("http://127.0.0.1:" + port + "/.gatehouse/logout");
            assertThat(browser.getPageSource()).contains("You are signed out");
            assertThat(browser.manage().getCookieNamed("__Host-gatehouse")).isNull();
        } finally {
            if (browser != null) {
                browser.quit();
            }
            idp.shutdown();
        }
    }
}
