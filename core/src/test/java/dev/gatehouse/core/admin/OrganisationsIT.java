package dev.gatehouse.core.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.Fixtures;
import dev.gatehouse.core.testing.TestDatabase;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the gateways write through core: the member account made at a first sign-in. */
class OrganisationsIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();

    @Test
    void aMemberMadeAtItsFirstSignInIsRecordedAndMadeOnce() {
        TestDatabase d = db.database();
        UUID acme = new Fixtures(d).org("Acme");
        Organisations sso = new Organisations(d.dataSource(), "sso:okta");

        UUID id = sso.createMember(acme, "carol@acme.test", "Carol@acme.test");
        assertThat(id).isNotNull();
        assertThat(d.queryValue("SELECT kind || ' ' || role || ' ' || email FROM accounts WHERE id = ?", id))
                .isEqualTo("member member Carol@acme.test");
        assertThat(d.queryValue("SELECT actor || ' ' || command || ' ' || target || ' ' || (after->>'id')"
                + " FROM admin_actions")).isEqualTo("sso:okta account create (sso auto-create) Acme/carol@acme.test " + id);

        assertThat(sso.createMember(acme, "carol@acme.test", "carol@acme.test"))
                .as("made meanwhile (another replica's sign-in): that member").isEqualTo(id);
        assertThat(sso.createMember(acme, "carol2", "CAROL@acme.test")).as("the same email, in another case").isEqualTo(id);
        new Fixtures(d).account(acme, "robot@acme.test", "service", "member");
        assertThat(sso.createMember(acme, "robot@acme.test", "robot@acme.test")).as("a service account's name: no member")
                .isNull();
        assertThat(d.queryValue("SELECT count(*) FROM admin_actions")).as("one row: nothing else was made").isEqualTo(1L);
        assertThatThrownBy(() -> sso.createMember(UUID.randomUUID(), "dave", "dave@acme.test"))
                .isInstanceOf(GatehouseException.class);
        assertThatThrownBy(() -> sso.createMember(acme, "eve", "not-an-address")).isInstanceOf(GatehouseException.class);
        assertThat(d.queryValue("SELECT count(*) FROM accounts")).isEqualTo(2L);
        Organisations admin = new Organisations(d.dataSource(), "test");
        assertThatThrownBy(() -> admin.createOrg("Acme/vault", false, null)).as("it would pass for Acme's app vault")
                .isInstanceOf(GatehouseException.class).hasMessageContaining("'/'");
        assertThatThrownBy(() -> admin.createApp("Acme", "a/b")).isInstanceOf(GatehouseException.class);
    }
}
