package dev.gatehouse.gateway.sso;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gatehouse.core.admin.SsoSessions;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.TestUpstream;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Sign-in in a real browser (Debian's headless Chromium, driven by Selenium): redirects, cookies and SameSite as a
 * browser really applies them — on the public base URL's host, then on a second, host-routed name
 * ({@code app.localhost}, which Chromium resolves to loopback and treats as a secure context) that the provider
 * cannot send back to, so the session is handed over; then revoked from the command line's core, and signed out with
 * the page's button.
 */
class SsoBrowserIT {
    static final File CHROMIUM = new File("/usr/bin/chromium");
    static final File DRIVER = new File("/usr/bin/chromedriver");
    static final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    Path dir;

    @Test
    void aBrowserSignsInOnTwoHostsIsRevokedAndSignsOut() throws Exception {
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
        for (int i = 0; i < 2; i++) {
            idp.enqueueCallback(new DefaultOAuth2TokenCallback("acme", "user-1", "JWT", List.of("gatehouse"),
                    Map.of("email", "alice@acme.test", "email_verified", true), 3600));
        }
        String base = "http://127.0.0.1:" + port;
        String app = "http://app.localhost:" + port;
        ChromeDriver browser = null;
        try (TestUpstream upstream = new TestUpstream();
             Gateway gateway = Gateway.start(GatewayConfigs.load(dir, d, "gatehouse.listen.port = " + port + "\n"
                     + "gatehouse.sso.public-base-url = \"" + base + "\"\n"
                     + "gatehouse.routes = [ { prefix = \"/app\", upstream = \"http://127.0.0.1:" + upstream.port()
                     + "\", org = \"Acme\" }, { hosts = [\"*.localhost\"], prefix = \"/\", upstream = \"http://127.0.0.1:"
                     + upstream.port() + "\", org = \"Acme\" } ]\n"))) {
            ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--user-data-dir=" + dir.resolve("profile"));
            browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER).usingAnyFreePort()
                    .build(), options);
            ChromeDriver b = browser;
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));

            // 1. on the public base URL's host
            browser.get(base + "/app/page?x=1");
            wait.until(x -> b.getPageSource().contains("seen 0 bytes"));
            assertThat(browser.getCurrentUrl()).as("back on the page it asked for").isEqualTo(base + "/app/page?x=1");
            TestUpstream.Received seen = upstream.take();
            assertThat(seen.header("X-Gatehouse-Account")).isEqualTo("alice");
            assertThat(seen.header("X-Gatehouse-User-Email")).isEqualTo("alice@acme.test");
            assertThat(seen.header("Cookie")).as("the session cookie stays with the gateway").isNull();
            Cookie session = browser.manage().getCookieNamed("__Host-gatehouse");
            assertThat(session).as("the browser keeps the session").isNotNull();
            assertThat(session.isHttpOnly()).isTrue();
            assertThat(session.isSecure()).isTrue();
            assertThat(session.getSameSite()).isEqualTo("Lax");
            assertThat(browser.manage().getCookieNamed("__Host-gatehouse-signin")).as("the sign-in cookie is gone").isNull();

            // 2. on a host-routed name: the provider answers the base URL, which hands the session over
            browser.get(app + "/page?y=2");
            wait.until(x -> b.getPageSource().contains("seen 0 bytes"));
            assertThat(browser.getCurrentUrl()).as("signed in on the app's own host").isEqualTo(app + "/page?y=2");
            upstream.clear();
            browser.navigate().refresh();
            wait.until(x -> b.getPageSource().contains("seen 0 bytes"));
            assertThat(upstream.take().header("X-Gatehouse-Account")).isEqualTo("alice");
            String appSession = browser.manage().getCookieNamed("__Host-gatehouse").getValue();
            assertThat(browser.manage().getCookieNamed("__Host-gatehouse-handover")).as("the binding is spent").isNull();
            assertThat(status(app + "/page", appSession)).as("the app host's session opens").isEqualTo(200);

            // 3. revoked by an operator: refused on every host, without a database call per request
            browser.get(base + "/app/page");
            String baseSession = browser.manage().getCookieNamed("__Host-gatehouse").getValue();
            assertThat(status(base + "/app/page", baseSession)).isEqualTo(200);
            new SsoSessions(d.dataSource(), "test").revoke("Acme", "alice");
            SsoGatewayIT.await(() -> status(app + "/page", appSession) == 401 && status(base + "/app/page", baseSession) == 401,
                    "both sessions refused after sso revoke");

            // 4. sign-out: the page asks, its button posts; the copied cookie no longer opens anywhere
            d.update("UPDATE accounts SET sessions_not_before = NULL");
            idp.enqueueCallback(new DefaultOAuth2TokenCallback("acme", "user-1", "JWT", List.of("gatehouse"),
                    Map.of("email", "alice@acme.test", "email_verified", true), 3600));
            browser.manage().deleteAllCookies();
            SsoGatewayIT.await(() -> status(base + "/app/page", baseSession) == 200, "the revocation lifted");
            browser.get(base + "/app/page?z=3");
            wait.until(x -> b.getPageSource().contains("seen 0 bytes"));
            String copied = browser.manage().getCookieNamed("__Host-gatehouse").getValue();
            browser.get(base + "/.gatehouse/logout");
            assertThat(browser.manage().getCookieNamed("__Host-gatehouse")).as("a GET signs nobody out").isNotNull();
            browser.findElement(By.cssSelector("form button")).click();
            wait.until(x -> b.getPageSource().contains("You are signed out"));
            assertThat(browser.manage().getCookieNamed("__Host-gatehouse")).isNull();
            SsoGatewayIT.await(() -> status(base + "/app/page", copied) == 401, "a copy of the cookie is refused too");
        } finally {
            if (browser != null) {
                browser.quit();
            }
            idp.shutdown();
        }
    }

    /** A JSON client's status with the session cookie (401 when it does not open). */
    static int status(String url, String session) {
        try {
            URI u = URI.create(url);
            if (!u.getHost().equals("127.0.0.1")) {
                return rawStatus(u, session);
            }
            return http.send(HttpRequest.newBuilder(u).header("Cookie", "__Host-gatehouse=" + session)
                    .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Java's client refuses to set Host: a raw request names app.localhost itself. */
    static int rawStatus(URI u, String session) throws Exception {
        try (dev.gatehouse.gateway.testing.RawHttp c = new dev.gatehouse.gateway.testing.RawHttp(u.getPort())) {
            return c.send("GET " + u.getPath() + " HTTP/1.1\r\nHost: " + u.getHost() + ":" + u.getPort()
                    + "\r\nAccept: application/json\r\nCookie: __Host-gatehouse=" + session + "\r\nConnection: close\r\n\r\n")
                    .read().status();
        }
    }
}
