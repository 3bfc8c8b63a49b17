package dev.gatehouse.gateway.console;

import dev.gatehouse.core.admin.AdminActions;
import dev.gatehouse.core.admin.Organisations;
import dev.gatehouse.core.admin.Policies;
import dev.gatehouse.core.admin.Recovery;
import dev.gatehouse.core.admin.Tokens;
import dev.gatehouse.core.sso.ProviderCheck;
import java.util.List;

/**
 * One organisation ({@code /orgs/NAME}): its SSO state, policies with their entries, accounts, tokens (prefixes
 * only), providers with their health, and what was changed lately.
 *
 * @param policiesShown false when it has more policies than a page shows
 */
public record OrgView(Organisations.OrgDetail org, Recovery.SsoState sso, List<Policies.PolicyView> policies,
                      boolean policiesShown, List<Tokens.TokenSummary> tokens, List<Provider> providers,
                      List<AdminActions.Action> actions, String actionsSince) {

    /**
     * A provider with what it answers now (checked at most once a minute per issuer).
     *
     * @param health null when not checked (beyond the providers checked per view)
     */
    public record Provider(Recovery.SsoProvider provider, ProviderCheck.Health health, String checkedAgo) {
    }
}
