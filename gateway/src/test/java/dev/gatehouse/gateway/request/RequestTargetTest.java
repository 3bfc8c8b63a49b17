package dev.gatehouse.gateway.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RequestTargetTest {
    @Test
    void anOrdinaryTargetIsReturnedAsItIs() {
        String t = "/api/v1/items.json?id=7&x=../y";
        assertThat(RequestTarget.normalize(t)).isSameAs(t);
        assertThat(RequestTarget.normalize("/")).isEqualTo("/");
        assertThat(RequestTarget.normalize("/a/.hidden/b..c/...")).isEqualTo("/a/.hidden/b..c/...");
        String dotty = "/a/.%2e./x.json/%2e%2e%2e/%2";
        assertThat(RequestTarget.normalize(dotty)).as("three dots, or a cut escape, are names").isSameAs(dotty);
    }

    @Test
    void dotSegmentsAreRemovedInEverySpelling() {
        assertThat(RequestTarget.normalize("/public/../admin")).isEqualTo("/admin");
        assertThat(RequestTarget.normalize("/public/%2e%2E/admin")).isEqualTo("/admin");
        assertThat(RequestTarget.normalize("/public/.%2e/admin")).isEqualTo("/admin");
        assertThat(RequestTarget.normalize("/a/./b/.")).isEqualTo("/a/b/");
        assertThat(RequestTarget.normalize("/a/b/..")).isEqualTo("/a/");
        assertThat(RequestTarget.normalize("/a/%2E/b")).isEqualTo("/a/b");
        assertThat(RequestTarget.normalize("/a/..?q=1")).isEqualTo("/?q=1");
    }

    @Test
    void repeatedSlashesAreMerged() {
        assertThat(RequestTarget.normalize("//admin")).isEqualTo("/admin");
        assertThat(RequestTarget.normalize("/a//b///c/")).isEqualTo("/a/b/c/");
    }

    @Test
    void aPathAboveTheRootIsRefused() {
        assertThatThrownBy(() -> RequestTarget.normalize("/../etc/passwd")).isInstanceOf(InvalidRequest.class)
                .hasMessageContaining("climbs above the root");
        assertThatThrownBy(() -> RequestTarget.normalize("/a/../../b")).isInstanceOf(InvalidRequest.class);
    }


    @Test
    void aSegmentAnUpstreamMayReadAsADotSegmentIsRefused() {
        for (String t : new String[] {"/tc/pub/..;/admin", "/tc/pub/..;x=1/admin", "/a/.;/b", "/a/%2e%2e;/b",
                "/a/..%2fadmin", "/a/%2e%2e%2Fadmin", "/a/..%5cadmin", "/a/..\\admin", "/a/x%2f..%2fadmin", "/a/%00/b",
                "/a/.%5c"}) {
            assertThatThrownBy(() -> RequestTarget.normalize(t)).as(t).isInstanceOf(InvalidRequest.class);
        }
        for (String t : new String[] {"/a;jsessionid=1/b", "/api/group%2Fproject/files", "/a/b..%2fc", "/a/..b;c",
                "/a/x%2fy", "/a/%2e%2e%2e%2f", "/q?x=..;/&y=%00"}) {
            assertThat(RequestTarget.normalize(t)).as(t + ": names, not dot-segments").isSameAs(t);
        }
    }
}
