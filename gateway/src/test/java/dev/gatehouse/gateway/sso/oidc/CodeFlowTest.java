package dev.gatehouse.gateway.sso.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.SubjectType;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** RFC 9207 on the provider's answer, and which signature algorithms an ID token may use. */
class CodeFlowTest {
    static OidcClients.Client client(boolean advertisesIss) {
        OIDCProviderMetadata m = new OIDCProviderMetadata(new Issuer("https://idp.example/acme"),
                List.of(SubjectType.PUBLIC), URI.create("https://idp.example/acme/jwks"));
        m.setSupportsAuthorizationResponseIssuerParam(advertisesIss);
        return new OidcClients.Client(m, null, 0, "https://idp.example/acme", "gatehouse", advertisesIss, null, 60);
    }

    @Test
    void anAnswerNamingAnotherIssuerIsRefusedWhateverTheProviderAdvertises() {
        for (boolean advertises : new boolean[] {true, false}) {
            assertThatThrownBy(() -> CodeFlow.checkIssuer(client(advertises), Map.of("iss",
                    List.of("https://attacker.example")))).isInstanceOf(CodeFlow.Refused.class)
                    .hasMessageContaining("another issuer");
            assertThatThrownBy(() -> CodeFlow.checkIssuer(client(advertises), Map.of("iss",
                    List.of("https://idp.example/acme", "https://idp.example/acme")))).as("twice")
                    .isInstanceOf(CodeFlow.Refused.class);
            assertThatCode(() -> CodeFlow.checkIssuer(client(advertises), Map.of("iss",
                    List.of("https://idp.example/acme")))).doesNotThrowAnyException();
        }
    }

    @Test
    void aProviderThatSaysItNamesItselfMustHave() {
        assertThatThrownBy(() -> CodeFlow.checkIssuer(client(true), Map.of("code", List.of("c"))))
                .isInstanceOf(CodeFlow.Refused.class).hasMessageContaining("RFC 9207");
        assertThatCode(() -> CodeFlow.checkIssuer(client(false), Map.of("code", List.of("c"))))
                .as("one that does not advertise it may leave it out").doesNotThrowAnyException();
    }

    @Test
    void theTokensAlgorithmIsTheProvidersNotAPreferenceForRs256() {
        assertThat(OidcClients.algorithms(List.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256)))
                .containsExactly(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
        assertThat(OidcClients.algorithms(List.of(JWSAlgorithm.HS256, JWSAlgorithm.ES256)))
                .as("never a shared-secret MAC").containsExactly(JWSAlgorithm.ES256);
        assertThat(OidcClients.algorithms(null)).contains(JWSAlgorithm.RS256, JWSAlgorithm.PS256, JWSAlgorithm.ES256)
                .doesNotContain(JWSAlgorithm.HS256);
    }
}
