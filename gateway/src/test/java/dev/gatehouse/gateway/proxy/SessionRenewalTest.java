package dev.gatehouse.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class SessionRenewalTest {
    static HttpHeaders with(String cacheControl) {
        HttpHeaders h = new DefaultHttpHeaders(false);
        if (cacheControl != null) {
            h.set("Cache-Control", cacheControl);
        }
        return h;
    }

    @Test
    void aRenewalNeverRidesOnAResponseASharedCacheMayStore() {
        HttpHeaders shared = with("public, max-age=600");
        assertThat(SessionRenewal.add(shared, "__Host-gatehouse=new")).isFalse();
        assertThat(shared.contains("Set-Cookie")).isFalse();
        HttpHeaders sMaxAge = with("s-maxage=60");
        assertThat(SessionRenewal.add(sMaxAge, "c")).isFalse();

        HttpHeaders none = with(null);
        assertThat(SessionRenewal.add(none, "c")).isTrue();
        assertThat(none.get("Cache-Control")).isEqualTo("private");
        assertThat(none.get("Set-Cookie")).isEqualTo("c");

        HttpHeaders maxAge = with("max-age=60");
        SessionRenewal.add(maxAge, "c");
        assertThat(maxAge.get("Cache-Control")).isEqualTo("max-age=60, private");

        HttpHeaders noStore = with("no-store");
        SessionRenewal.add(noStore, "c");
        assertThat(noStore.get("Cache-Control")).as("already kept from caches: unchanged").isEqualTo("no-store");
    }

    @Test
    void aQualifiedPrivateOrACdnsOwnCacheHeaderIsNoPrivacy() {
        HttpHeaders qualified = with("private=\"X-Secret\", max-age=60");
        SessionRenewal.add(qualified, "c");
        assertThat(qualified.get("Cache-Control")).as("a shared cache may keep the rest: made private")
                .isEqualTo("private=\"X-Secret\", max-age=60, private");
        for (String cdn : new String[] {"CDN-Cache-Control", "Cloudflare-CDN-Cache-Control", "Surrogate-Control"}) {
            HttpHeaders h = with("private");
            h.set(cdn, "max-age=600");
            assertThat(SessionRenewal.add(h, "c")).as(cdn + " overrides Cache-Control at the CDN").isFalse();
            assertThat(h.contains("Set-Cookie")).isFalse();
        }
    }
}
