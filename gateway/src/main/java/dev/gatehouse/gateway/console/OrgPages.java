package dev.gatehouse.gateway.console;

import dev.gatehouse.core.admin.AdminActions;
import dev.gatehouse.core.admin.Organisations;
import dev.gatehouse.core.admin.Policies;
import dev.gatehouse.core.admin.Recovery;
import dev.gatehouse.core.admin.Tokens;
import dev.gatehouse.core.sso.ProviderCheck;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * {@code /orgs} and {@code /orgs/NAME}, from the same core code as {@code org list}, {@code org show},
 * {@code policy show}, {@code token list}, {@code disable-org-sso --show}. Bounded: {@link #MAX_POLICIES} policies
 * with entries, {@link #ACTIONS_WINDOW} of admin actions ({@link #MAX_ACTIONS} at most), and a provider's health
 * fetched at most once per {@link #HEALTH_TTL} ({@link #HEALTH_TIMEOUT} each, {@link #MAX_CHECKED} providers a view).
 */
final class OrgPages {
    static final int MAX_POLICIES = 50;
    static final Duration ACTIONS_WINDOW = Duration.ofDays(30);
    static final int MAX_ACTIONS = 50;
    static final Duration HEALTH_TTL = Duration.ofMinutes(1);
    static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);
    static final int MAX_CHECKED = 4;

    private record Checked(ProviderCheck.Health health, Instant at) {
    }

    private final Organisations organisations;
    private final Policies policies;
    /** Accounts, apps, policies' names and tokens shown at most, each (a page is bounded, whatever the organisation). */
    static final int MAX_ROWS = 500;

    private final Tokens tokens;
    private final Recovery recovery;
    private final AdminActions actions;
    private final Map<String, Checked> health = new ConcurrentHashMap<>();

    OrgPages(DataSource pool) {
        this.organisations = new Organisations(pool, "console");
        this.policies = new Policies(pool, "console");
        this.tokens = new Tokens(pool, "console");
        this.recovery = new Recovery(pool, "console");
        this.actions = new AdminActions(pool);
    }

    List<Organisations.OrgSummary> list() {
        return organisations.listOrgs();
    }

    OrgView show(String name, Instant now) {
        Organisations.OrgDetail org = organisations.showOrg(name, MAX_ROWS);
        List<Policies.PolicySummary> all = policies.list(name);
        List<Policies.PolicyView> shown = new ArrayList<>();
        for (Policies.PolicySummary p : all.subList(0, Math.min(all.size(), MAX_POLICIES))) {
            shown.add(policies.show(name, p.name()));
        }
        Recovery.SsoState sso = recovery.ssoState(name);
        List<OrgView.Provider> providers = new ArrayList<>();
        int checked = 0;
        for (Recovery.SsoProvider p : sso.providers()) {
            Checked c = health.get(p.issuer());
            if ((c == null || c.at().isBefore(now.minus(HEALTH_TTL))) && checked < MAX_CHECKED) {
                checked++;
                c = new Checked(ProviderCheck.check(p.issuer(), HEALTH_TIMEOUT), now);
                health.put(p.issuer(), c);
            }
            providers.add(new OrgView.Provider(p, c == null ? null : c.health(),
                    c == null ? "" : ConsoleFormat.age(Duration.between(c.at(), now)) + " ago"));
        }
        Instant since = now.minus(ACTIONS_WINDOW);
        return new OrgView(org, sso, shown, all.size() <= MAX_POLICIES, tokens.list(name, null, MAX_ROWS), providers,
                actions.ofOrganisation(name, since, MAX_ACTIONS), ConsoleFormat.time(since));
    }
}
