package dev.gatehouse.core.sso;

import dev.gatehouse.core.net.InvalidAddressException;
import dev.gatehouse.core.net.IpAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * An OpenID provider's issuer identifier, checked as OpenID Connect Discovery 1.0 §2 requires: an https URL with no
 * query or fragment. Plain http is accepted for a loopback host only (a provider on the same machine, in tests and
 * development): over any other network, the discovery document and the keys it names would be an attacker's to swap.
 */
public final class IssuerUrl {
    private IssuerUrl() {
    }

    /** The issuer as given (a trailing slash kept: it is part of the identifier), or IllegalArgumentException. */
    public static String check(String issuer) {
        URI u;
        try {
            u = new URI(issuer.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("issuer '" + issuer + "' is not a URL: " + e.getReason());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (u.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new IllegalArgumentException("issuer '" + issuer + "' must be an https:// URL");
        }
        if (u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new IllegalArgumentException("issuer '" + issuer + "' must have no query or fragment (OpenID Connect"
                    + " Discovery 1.0, section 2)");
        }
        if (u.getRawUserInfo() != null) {
            throw new IllegalArgumentException("issuer '" + issuer + "' must not carry credentials");
        }
        if (scheme.equals("http") && !loopback(u.getHost())) {
            throw new IllegalArgumentException("issuer '" + issuer + "' must be https:// (plain http only for a provider"
                    + " on this machine: localhost, 127.0.0.1, [::1])");
        }
        return issuer.trim();
    }

    private static boolean loopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        try {
            IpAddress a = IpAddress.parse(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
            return a.equals(IpAddress.parse("::1")) || a.isV4() && a.toString().startsWith("127.");
        } catch (InvalidAddressException notAnAddress) {
            return false;
        }
    }
}
