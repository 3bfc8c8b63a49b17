package dev.gatehouse.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatewayNamespaceTest {

    @Test
    void everySpellingOfTheGatewaysHeadersAndTheIdentityHeadersIsRemoved() {
        HttpHeaders h = new DefaultHttpHeaders(false);
        h.add("X-Gatehouse-User-Email", "forged@evil.test");
        h.add("x-gatehouse-assertion", "forged");
        h.add("X_GATEHOUSE_ACCOUNT", "admin");
        h.add("X-Gatehouse_Org", "Acme");
        h.add("x-gAtEhOuSe-anything-new", "1");
        h.add("Remote_User", "root");
        h.add("X-Auth-Request-Email", "a@b");
        h.add("X-Gatehouser", "not ours: no dash after the prefix");
        h.add("Accept", "text/html");
        GatewayNamespace.stripHeaders(h, List.of("remote-user", "x-auth-request-email"));
        assertThat(h.names()).containsExactlyInAnyOrder("X-Gatehouser", "Accept");
    }

    @Test
    void theGatewaysCookiesLeaveAndEveryOtherPairStaysByteForByte() {
        assertThat(GatewayNamespace.withoutOwnCookies("a=1; __Host-gatehouse=SECRET; b=\"x y\"; __host-GATEHOUSE-signin=t;c="))
                .isEqualTo("a=1; b=\"x y\"; c=");
        assertThat(GatewayNamespace.withoutOwnCookies("__Host-gatehouse=s")).isNull();
        String untouched = "theme=dark;  sid=abc";
        assertThat(GatewayNamespace.withoutOwnCookies(untouched)).isSameAs(untouched);
        assertThat(GatewayNamespace.withoutOwnCookies("__Host-gatehouse-handoff=x;session=__Host-gatehouse"))
                .as("a value that looks like the name is someone else's cookie").isEqualTo("session=__Host-gatehouse");

        assertThat(GatewayNamespace.withoutOwnCookies("a=1;; ;\t__Host-gatehouse=s;b=2")).as("empty pairs and tabs")
                .isEqualTo("a=1; b=2");
        assertThat(GatewayNamespace.withoutOwnCookies("=__Host-gatehouse=s; a=1")).as("nameless, as a browser sends back")
                .isEqualTo("a=1");
        assertThat(GatewayNamespace.withoutOwnCookies("a=1, __Host-gatehouse=s; b=2")).as("after RFC 2965's comma")
                .isEqualTo("b=2");

        HttpHeaders h = new DefaultHttpHeaders(false);
        h.add("Cookie", "__Host-gatehouse=s");
        h.add("Cookie", "a=1; __Host-gatehouse-signin=t");
        GatewayNamespace.stripCookies(h);
        assertThat(h.getAll("Cookie")).containsExactly("a=1");
        h.set("Cookie", "__Host-gatehouse=s");
        GatewayNamespace.stripCookies(h);
        assertThat(h.contains("Cookie")).as("nothing left: no header").isFalse();
    }

    @Test
    void anUpstreamCannotSetTheGatewaysCookies() {
        HttpHeaders h = new DefaultHttpHeaders(false);
        h.add("Set-Cookie", "__Host-gatehouse=planted; Path=/; Secure");
        h.add("Set-Cookie", "app=1; Path=/");
        h.add("Set-Cookie", " __HOST-Gatehouse-signin =x");
        h.add("Set-Cookie", "=__Host-gatehouse=nameless; Path=/");
        assertThat(GatewayNamespace.stripSetCookies(h)).isEqualTo(3);
        assertThat(h.getAll("Set-Cookie")).containsExactly("app=1; Path=/");
        assertThat(GatewayNamespace.stripSetCookies(h)).isZero();
    }
}
