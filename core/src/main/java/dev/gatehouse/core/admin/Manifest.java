package dev.gatehouse.core.admin;

import dev.gatehouse.core.net.Cidr;
import dev.gatehouse.core.net.InvalidAddressException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Policy as code: what {@code gatehouse-admin apply} reads and {@code export} writes — organisations with their apps,
 * their network policies (with entries) and the policies assigned to their accounts. Declarative: what a manifest
 * names is made to be exactly as written ({@link Manifests#apply}); what it does not name is left alone, or removed
 * with {@code --prune}. Accounts are not made by a manifest (they come with their tokens and sign-ins): it names
 * existing ones to say which policies they are assigned.
 *
 * <p>A manifest is {@link #validated()} before use: names present and unique where they must be, networks written as
 * networks (host bits cleared), each in its canonical form, so that comparing with the database is comparing text.
 */
public record Manifest(List<Org> organisations) {

    /** An organisation: its apps by name, its policies, and its accounts' assignments. */
    public record Org(String name, List<String> apps, List<Policy> policies, List<Account> accounts) {
    }

    /**
     * A network policy.
     *
     * @param allow networks, canonical ({@code 10.0.0.0/8}, {@code 2001:db8::/32}), sorted as the database sorts
     * @param deny  the same
     */
    public record Policy(String name, boolean global, String description, List<String> allow, List<String> deny) {
    }

    /** An existing account of the organisation and the policies assigned to it (by name; exactly these). */
    public record Account(String name, List<String> policies) {
    }

    /** A manifest's content is wrong (the caller names the file): nothing was read from the database yet. */
    public static final class Invalid extends IllegalArgumentException {
        public Invalid(String message) {
            super(message);
        }
    }

    /**
     * This manifest checked and canonical: names trimmed and non-blank, unique among their kind within their
     * organisation (organisations among all), networks parsed and written as {@link Cidr#toString()} writes them.
     *
     * @throws Invalid naming the organisation, policy or account and what is wrong
     */
    public Manifest validated() {
        List<Org> orgs = new ArrayList<>();
        Set<String> orgNames = new HashSet<>();
        for (Org o : organisations == null ? List.<Org>of() : organisations) {
            if (o == null) {
                throw new Invalid("an organisation entry is empty");
            }
            String org = name(o.name(), "an organisation");
            unique(orgNames, org, "organisation '" + org + "' is named twice");
            String where = "organisation '" + org + "'";
            List<String> apps = new ArrayList<>();
            Set<String> appNames = new HashSet<>();
            for (String a : list(o.apps())) {
                String app = name(a, "an app of " + where);
                unique(appNames, app, where + ": app '" + app + "' is named twice");
                apps.add(app);
            }
            List<Policy> policies = new ArrayList<>();
            Set<String> policyNames = new HashSet<>();
            for (Policy p : list(o.policies())) {
                if (p == null) {
                    throw new Invalid(where + ": a policy entry is empty");
                }
                String policy = name(p.name(), "a policy of " + where);
                unique(policyNames, policy, where + ": policy '" + policy + "' is named twice");
                String at = where + ", policy '" + policy + "'";
                List<String> allow = networks(p.allow(), at + ", allow");
                List<String> deny = networks(p.deny(), at + ", deny");
                String description = p.description() == null || p.description().isBlank() ? null : p.description();
                policies.add(new Policy(policy, p.global(), description, allow, deny));
            }
            List<Account> accounts = new ArrayList<>();
            Set<String> accountNames = new HashSet<>();
            for (Account a : list(o.accounts())) {
                if (a == null) {
                    throw new Invalid(where + ": an account entry is empty");
                }
                String account = name(a.name(), "an account of " + where);
                unique(accountNames, account, where + ": account '" + account + "' is named twice");
                List<String> assigned = new ArrayList<>();
                Set<String> seen = new HashSet<>();
                for (String p : list(a.policies())) {
                    String policy = name(p, "a policy of account '" + account + "' of " + where);
                    unique(seen, policy, where + ", account '" + account + "': policy '" + policy + "' is named twice");
                    assigned.add(policy);
                }
                assigned.sort(null);
                accounts.add(new Account(account, List.copyOf(assigned)));
            }
            orgs.add(new Org(org, List.copyOf(apps), List.copyOf(policies), List.copyOf(accounts)));
        }
        return new Manifest(List.copyOf(orgs));
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }

    private static String name(String name, String what) {
        if (name == null || name.isBlank()) {
            throw new Invalid(what + " has no name");
        }
        String n = name.trim();
        if (n.length() > 200) {
            throw new Invalid("'" + n.substring(0, 40) + "…' (" + what + "): a name has at most 200 characters");
        }
        return n;
    }

    private static void unique(Set<String> seen, String name, String message) {
        if (!seen.add(name)) {
            throw new Invalid(message);
        }
    }

    /** Canonical, distinct, in the database's order (IPv4 before IPv6, then by address and prefix). */
    private static List<String> networks(List<String> texts, String where) {
        List<Cidr> cidrs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String t : list(texts)) {
            if (t == null) {
                throw new Invalid(where + ": an empty network");
            }
            Cidr c;
            try {
                c = Cidr.parse(t);
            } catch (InvalidAddressException e) {
                throw new Invalid(where + ": " + e.getMessage());
            }
            if (!seen.add(c.toString())) {
                throw new Invalid(where + ": " + c + " is named twice");
            }
            cidrs.add(c);
        }
        cidrs.sort(Manifest::compareNetworks);
        return cidrs.stream().map(Cidr::toString).toList();
    }

    /** PostgreSQL's order for cidr: family, then the network's address, then the prefix length. */
    static int compareNetworks(Cidr a, Cidr b) {
        boolean v4 = a.network().isV4();
        if (v4 != b.network().isV4()) {
            return v4 ? -1 : 1;
        }
        int c = Long.compareUnsigned(a.network().hi(), b.network().hi());
        if (c == 0) {
            c = Long.compareUnsigned(a.network().lo(), b.network().lo());
        }
        return c != 0 ? c : Integer.compare(a.prefix(), b.prefix());
    }
}
