package dev.gatehouse.gateway.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.gatehouse.core.clientip.CloudflareRanges;
import dev.gatehouse.core.clientip.NetworkList;
import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.net.CidrSet;
import dev.gatehouse.core.net.InvalidAddressException;
import dev.gatehouse.core.net.IpAddress;
import java.util.Locale;

/**
 * {@code gatehouse.console}: the operator console's listener, and who may use it. Checked when read, before anything
 * starts: a console bound to an address other than loopback must name the organisation whose admins sign in to it
 * ({@code sign-in-org}, with {@code sso.public-base-url} set, since that is where they sign in) and the networks it
 * answers ({@code allow}); otherwise the start is refused with one line naming the key.
 *
 * @param loopback   bound to a loopback address: nobody signs in
 * @param signInOrg  the organisation whose admins sign in; null on loopback
 * @param allow      where the console answers from (empty on loopback: the bind is the limit)
 * @param trustedProxies the hops (a TLS terminator in front of the console) whose X-Forwarded-For the console
 *                   believes — its own list, never {@code client-ip.trusted-proxies}; empty: the socket peer is the
 *                   client
 */
public record ConsoleSettings(boolean enabled, String host, int port, boolean loopback, String signInOrg,
                              CidrSet allow, CidrSet trustedProxies) {

    public static final ConsoleSettings OFF = new ConsoleSettings(false, "127.0.0.1", 0, true, null, CidrSet.EMPTY,
            CidrSet.EMPTY);

    public static ConsoleSettings from(Config config) {
        try {
            Config g = config.getConfig("gatehouse");
            boolean enabled = g.getBoolean("console.enabled");
            String host = g.getString("console.host").trim();
            int port = ConfigValues.port(g, "console.port");
            String org = g.getString("console.sign-in-org").trim();
            CidrSet allow = networks(g, "console.allow");
            CidrSet trusted = networks(g, "console.trusted-proxies");
            boolean loopback = loopback(host);
            if (enabled && port != 0 && (port == g.getInt("listen.port") || port == g.getInt("management.port"))) {
                throw ConfigError.at("gatehouse.console.port", g.getValue("console.port").origin(), "the console has a"
                        + " listener of its own: " + port + " is the public or the management listener's port");
            }
            if (!enabled) {
                return new ConsoleSettings(false, host, port, loopback, null, CidrSet.EMPTY, CidrSet.EMPTY);
            }
            if (loopback) {
                return new ConsoleSettings(true, host, port, true, null, CidrSet.EMPTY, CidrSet.EMPTY);
            }
            String where = "the console is bound to " + host + ", not a loopback address";
            if (org.isEmpty()) {
                throw ConfigError.at("gatehouse.console.host", g.getValue("console.host").origin(), where
                        + ": set console.sign-in-org to the organisation whose admins sign in to it, and console.allow"
                        + " to the networks they reach it from (or bind 127.0.0.1 and use an SSH tunnel or kubectl"
                        + " port-forward)");
            }
            if (allow.isEmpty()) {
                throw ConfigError.at("gatehouse.console.allow", g.getValue("console.allow").origin(), where
                        + ": list the networks it answers (CIDRs); none are allowed by default");
            }
            if (g.getString("sso.public-base-url").isBlank()) {
                throw ConfigError.at("gatehouse.console.sign-in-org", g.getValue("console.sign-in-org").origin(),
                        "admins sign in to the console at gatehouse.sso.public-base-url, which is not set");
            }
            return new ConsoleSettings(true, host, port, false, org, allow, trusted);
        } catch (ConfigException e) {
            throw ConfigError.from(e);
        }
    }

    /** A list of CIDRs (and the presets loopback, private; not cloudflare) that does not cover every address. */
    private static CidrSet networks(Config g, String key) {
        CidrSet set;
        try {
            for (String e : g.getStringList(key)) {
                if (e.trim().equalsIgnoreCase("cloudflare")) {
                    throw new IllegalArgumentException("the cloudflare preset is the public listener's: anyone behind"
                            + " Cloudflare could reach the console through it");
                }
            }
            set = CidrSet.of(NetworkList.parse(g.getStringList(key), CloudflareRanges.snapshot()));
        } catch (IllegalArgumentException e) {
            throw ConfigError.at("gatehouse." + key, g.getValue(key).origin(), e.getMessage());
        }
        if (set.coversAnEntireFamily()) {
            throw ConfigError.at("gatehouse." + key, g.getValue(key).origin(), "a list covering every address"
                    + " (0.0.0.0/0, ::/0) is refused: list the networks themselves");
        }
        return set;
    }

    /** 127.0.0.0/8, ::1 (an IPv4-mapped one too) and the name localhost; anything else is reachable from elsewhere. */
    static boolean loopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost")) {
            return true;
        }
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        try {
            IpAddress a = IpAddress.parse(h);
            return a.isV4() ? (a.lo() >>> 24) == 127 : a.hi() == 0 && a.lo() == 1;
        } catch (InvalidAddressException e) {
            return false; // a host name: whatever it resolves to, not known to be loopback
        }
    }

    /** The console's address as a URL. */
    public String url(int boundPort) {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + boundPort;
    }
}
