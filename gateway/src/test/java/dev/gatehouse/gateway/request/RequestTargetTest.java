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

}
