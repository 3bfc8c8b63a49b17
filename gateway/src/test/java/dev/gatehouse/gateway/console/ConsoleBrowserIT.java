package dev.gatehouse.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.RawHttp;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (Debian's headless Chromium, driven by Selenium), as an operator uses it: a denial
 * made on the public listener is on /denials within 5 s and arrives in the live tail; /why explains it naming the
 * policy; markup in a request path, a user agent, an organisation's and a policy's name is text on every page; a POST
 * is refused; the console is not on the public listener; bound beyond loopback without a sign-in organisation it does
 * not start. Takes the README's screenshots of / and /why ({@code docs/console-*.png} with
 * {@code -Dconsole.screenshots=docs}; else into target/screenshots).
 */
class ConsoleBrowserIT {
    static final File CHROMIUM = new File("/usr/bin/chromium");
    static final File DRIVER = new File("/usr/bin/chromedriver");
    /**
     * Where the screenshots go: target/screenshots on every run; the README's copies in docs/ only when asked
     * ({@code -Dconsole.screenshots=docs}), so that a test run leaves the work tree as it found it.
     */
    static final Path SHOTS = "docs".equals(System.getProperty("console.screenshots")) ? Path.of("..", "docs")
            : Path.of("target", "screenshots");
    static final String MARKUP_PATH = "/initech/<img/src=x/onerror=alert(1)>";
    static final String MARKUP_AGENT = "<script>alert('agent')</script>";
    static final String MARKUP_ORG = "<b>Initech</b> & Co";
    static final String MARKUP_POLICY = "<i>night-shift</i>";
    /** Elements a payload would make if it were markup (the console's own script excepted). */
    static final String INJECTED = "return document.querySelectorAll('img, b, i, u, iframe, script:not([src=\"/console.js\"])').length";

    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    Path dir;

    @Test
    void anOperatorFollowsADenialFromTheLiveTailToWhy() throws Exception {
        assumeTrue(CHROMIUM.canExecute() && DRIVER.canExecute(),
                "ConsoleBrowserIT needs Debian's chromium and chromium-driver (.ci/run installs them): not run");
        TestDatabase d = db.database();
        UUID acme = (UUID) d.queryValue("INSERT INTO organisations (name) VALUES ('Acme') RETURNING id");
        UUID office = (UUID) d.queryValue("INSERT INTO network_access_policies (org_id, name, description, is_global,"
                + " created_by, updated_by) VALUES (?, 'office', 'the office network only', true, 'ops', 'ops')"
                + " RETURNING id", acme);
        d.update("INSERT INTO network_policy_entries (policy_id, action, network) VALUES (?, 'allow', '203.0.113.0/24'),"
                + " (?, 'allow', '2001:db8:1::/48')", office, office);
        UUID globex = (UUID) d.queryValue("INSERT INTO organisations (name) VALUES ('Globex') RETURNING id");
        UUID initech = (UUID) d.queryValue("INSERT INTO organisations (name) VALUES (?) RETURNING id", MARKUP_ORG);
        UUID night = (UUID) d.queryValue("INSERT INTO network_access_policies (org_id, name, is_global, created_by,"
                + " updated_by) VALUES (?, ?, true, 'ops', 'ops') RETURNING id", initech, MARKUP_POLICY);
        d.update("INSERT INTO network_policy_entries (policy_id, action, network) VALUES (?, 'deny', '127.0.0.0/8')", night);
        // a day of traffic for the charts: every organisation, a request every 30 s, more by day, some denied
        for (UUID org : List.of(acme, globex, initech)) {
            d.update("INSERT INTO access_events (ts, event_id, event_count, org_id, client_ip, method, path, status,"
                    + " decision, request_id) SELECT now() - make_interval(secs => s * 30), gen_random_uuid(),"
                    + " 1 + (s % 7) * (CASE WHEN extract(hour FROM now() - make_interval(secs => s * 30)) BETWEEN 8 AND 18"
                    + " THEN 3 ELSE 1 END), ?, ('203.0.113.' || (s % 200))::inet, 'GET', '/', CASE WHEN s % 11 = 0 THEN 403 ELSE 200"
                    + " END, CASE WHEN s % 11 = 0 THEN 'deny' ELSE 'allow' END, md5(s::text) FROM generate_series(2, 2880) s",
                    org);
        }
        d.update("INSERT INTO sso_events (ts, org_id, event, email, client_ip) SELECT now() - make_interval(mins => m),"
                + " ?, 'sign-in', 'alice@acme.test', '203.0.113.9' FROM generate_series(5, 1440, 97) m", acme);
        d.update("INSERT INTO sso_events (ts, org_id, event, email, client_ip, reason) VALUES (now(), ?, 'sign-in refused',"
                + " 'eve@initech.test', '198.51.100.23', 'sso_no_account')", initech);
        int console = ConsoleIT.freePort();
        ChromeDriver browser = null;
        try (Gateway gateway = Gateway.start(GatewayConfigs.load(dir, d, "gatehouse.console { enabled = true, port = "
                + console + " }\ngatehouse.routes = [ { prefix = \"/initech/\", upstream = \"demo\", org = \""
                + MARKUP_ORG.replace("\"", "\\\"") + "\" }, { prefix = \"/\", upstream = \"demo\", org = \"Acme\" } ]\n"))) {
            ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM).addArguments("--headless", "--no-sandbox",
                    "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--window-size=1400,1000", "--hide-scrollbars",
                    "--user-data-dir=" + dir.resolve("profile"));
            browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER).usingAnyFreePort()
                    .build(), options);
            ChromeDriver b = browser;
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
            String base = "http://127.0.0.1:" + console;

            // 1. the live tail is open before the denial happens
            browser.get(base + "/denials?org=" + ConsoleFormat.query(MARKUP_ORG));
            wait.until(x -> b.findElement(By.id("live-status")).getText().startsWith("Live:"));
            String requestId;
            try (RawHttp c = new RawHttp(gateway.port())) {
                RawHttp.Response r = c.send("GET " + MARKUP_PATH + " HTTP/1.1\r\nHost: t\r\nUser-Agent: "
                        + MARKUP_AGENT + "\r\nAccept: text/html\r\nConnection: close\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(403);
                assertThat(r.body()).as("the 403 page is as it was: no link to the console").doesNotContain("/why");
                requestId = r.header("X-Request-Id");
            }
            long denied = System.nanoTime();
            new WebDriverWait(browser, Duration.ofSeconds(5)).until(x -> !b.findElements(By.linkText(requestId)).isEmpty());
            assertThat(Duration.ofNanos(System.nanoTime() - denied)).as("in the live tail within 5 s")
                    .isLessThan(Duration.ofSeconds(5));
            String tailRow = browser.findElement(By.cssSelector("tr.live")).getText();
            assertThat(tailRow).contains(MARKUP_PATH).contains(MARKUP_AGENT).contains(MARKUP_ORG)
                    .contains("denied by network policy " + MARKUP_POLICY);
            assertThat(browser.executeScript(INJECTED)).as("markup in the tail is text").isEqualTo(0L);

            // 2. on the page itself, rendered by the server, within the same 5 s
            browser.navigate().refresh();
            assertThat(browser.findElements(By.linkText(requestId))).hasSize(1);
            assertThat(Duration.ofNanos(System.nanoTime() - denied)).isLessThan(Duration.ofSeconds(5));
            assertThat(browser.findElement(By.id("denial-rows")).getText()).contains(MARKUP_PATH).contains(MARKUP_AGENT);
            assertThat(browser.executeScript(INJECTED)).isEqualTo(0L);

            // 3. why, naming the policy
            browser.findElement(By.linkText(requestId)).click();
            wait.until(x -> b.getCurrentUrl().contains("/why?request-id="));
            assertThat(browser.findElement(By.id("verdict")).getText()).isEqualTo("denied (403): denied by policy '"
                    + MARKUP_POLICY + "'");
            assertThat(browser.findElement(By.tagName("main")).getText()).contains("deny 127.0.0.0/8")
                    .contains(MARKUP_PATH).contains(MARKUP_AGENT).contains("Policies of " + MARKUP_ORG);
            assertThat(browser.executeScript(INJECTED)).isEqualTo(0L);

            // the README's picture: a plain denial of Acme, explained
            String plain;
            try (RawHttp c = new RawHttp(gateway.port())) {
                plain = c.send("GET /reports/q3 HTTP/1.1\r\nHost: acme.example.com\r\nUser-Agent: Mozilla/5.0"
                        + "\r\nConnection: close\r\n\r\n").read().header("X-Request-Id");
            }
            wait.until(x -> {
                b.get(base + "/why?request-id=" + plain + "&host=acme.example.com");
                return b.findElement(By.id("verdict")).getText().startsWith("denied (403)");
            });
            assertThat(browser.findElement(By.tagName("main")).getText()).contains("office")
                    .contains("no entry matches (has allow entries)");
            screenshot(browser, "console-why.png");

            // 4. every other page shows the names as text
            for (String page : List.of("/orgs", "/orgs/" + ConsoleFormat.segment(MARKUP_ORG), "/sign-ins", "/")) {
                browser.get(base + page);
                assertThat(browser.findElement(By.tagName("main")).getText()).as(page).contains(MARKUP_ORG);
                assertThat(browser.executeScript(INJECTED)).as(page).isEqualTo(0L);
            }
            assertThat(browser.findElement(By.tagName("main")).getText()).contains("Acme").contains("Globex");
            screenshot(browser, "console-overview.png");
            browser.get(base + "/orgs/" + ConsoleFormat.segment(MARKUP_ORG));
            assertThat(browser.findElement(By.tagName("main")).getText()).contains(MARKUP_POLICY);

            // 5. read-only, even from its own origin
            Object status = browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
                    + " fetch('/', {method: 'POST', body: 'x'}).then(r => done(r.status), e => done(String(e)));");
            assertThat(status).as("POST").isEqualTo(405L);

            // 6. not on the public listener
            for (String page : List.of("/", "/denials", "/why", "/console.js")) {
                browser.get("http://127.0.0.1:" + gateway.port() + page);
                assertThat(browser.getPageSource()).as(page).doesNotContain("Gatehouse console");
            }
        } finally {
            if (browser != null) {
                browser.quit();
            }
        }

        // 7. beyond loopback without a sign-in organisation: no start, one line
        assertThatThrownBy(() -> Gateway.start(GatewayConfigs.load(dir, d,
                "gatehouse.console { enabled = true, host = \"0.0.0.0\", port = 0 }")))
                .isInstanceOf(GatehouseException.class)
                .hasMessageStartingWith("configuration: gatehouse.console.host: the console is bound to 0.0.0.0, not a"
                        + " loopback address").hasMessageNotContaining("\n");
    }

    /** The viewport as PNG into {@link #SHOTS}, whole pages fitting the window. */
    static void screenshot(ChromeDriver browser, String name) throws Exception {
        Long height = (Long) browser.executeScript("return document.documentElement.scrollHeight");
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(1400, (int) Math.min(2400, height + 120)));
        Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
        Files.createDirectories(SHOTS);
        Files.copy(shot, SHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(SHOTS.resolve(name), PosixFilePermissions.fromString("rw-r--r--"));
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(1400, 1000));
    }
}
