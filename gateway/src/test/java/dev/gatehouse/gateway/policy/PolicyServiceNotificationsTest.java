package dev.gatehouse.gateway.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.postgresql.PGNotification;
import org.postgresql.core.Notification;

/** Which notifications a partial reload can serve, and which ask for a full one. */
class PolicyServiceNotificationsTest {
    static PGNotification[] notifications(String... payloads) {
        PGNotification[] n = new PGNotification[payloads.length];
        for (int i = 0; i < payloads.length; i++) {
            n[i] = new Notification(PolicyService.CHANNEL, 1, payloads[i]);
        }
        return n;
    }

    @Test
    void collectsTheOrganisationsNamedByTheTriggersPayload() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        Set<UUID> orgs = new HashSet<>();
        // the exact text json_build_object produces
        assertThat(PolicyService.collectOrgs(notifications(
                "{\"table\" : \"network_policy_entries\", \"op\" : \"INSERT\", \"org_id\" : \"" + a + "\"}",
                "{\"table\" : \"api_tokens\", \"op\" : \"UPDATE\", \"org_id\" : \"" + b + "\"}",
                "{\"table\" : \"accounts\", \"op\" : \"DELETE\", \"org_id\" : \"" + a + "\"}"), orgs)).isTrue();
        assertThat(orgs).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void aPayloadWithoutAnOrganisationAsksForAFullReload() {
        Set<UUID> orgs = new HashSet<>();
        assertThat(PolicyService.collectOrgs(notifications("{\"table\" : \"apps\", \"op\" : \"UPDATE\", \"org_id\" : null}"),
                orgs)).isFalse();
        assertThat(PolicyService.collectOrgs(notifications(""), orgs)).isFalse();
        assertThat(PolicyService.collectOrgs(notifications("{\"org_id\" : \"zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz\"}"), orgs))
                .isFalse();
    }
}
