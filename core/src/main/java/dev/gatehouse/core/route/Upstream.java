package dev.gatehouse.core.route;

import dev.gatehouse.core.net.InvalidAddressException;
import dev.gatehouse.core.net.IpAddress;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * An upstream origin: host and port, HTTP or HTTP over TLS ({@code tls}), plus an optional base path
 * prepended to forwarded paths. The host is a literal or a name resolved when connecting (from config,
 * never from a header); over TLS it is also the name the certificate must carry (upstream.tls).
 */
public record Upstream(String host, int port, String basePath, boolean tls) {

    /** A plain-HTTP upstream. */
    public Upstream(String host, int port, String basePath) {
        this(host, port, basePath, false);
    }

    /**
     * The built-in demo upstream ({@code upstream = "demo"}): a placeholder the gateway replaces, at start, with the
     * echo server it starts on a free loopback port.
     */
    public static final Upstream DEMO = new Upstream("demo.gatehouse.invalid", 1, "", false);

    public boolean demo() {
        return this.equals(DEMO);
    }

    /**
     * Parses {@code http://host:port[/base]} or {@code https://…}, or the word {@code demo} (the built-in demo
     * upstream); the message explains what is wrong.
     */
    public static Upstream parse(String url) {
        if (url.trim().equals("demo")) {
            return DEMO;
        }
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: '" + url + "' (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("expected an http:// or https:// URL (or \"demo\"), got '" + url + "'");
        }
        boolean tls = scheme.equals("https");
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("no host in '" + url + "'");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("an upstream URL takes no query or fragment: '" + url + "'");
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (looksLikeAddress(host)) {
            // parsed strictly, as every address in Gatehouse is: 010.0.0.1 is refused, not read as 10.0.0.1
            // (Netty's NetUtil would) nor as 8.0.0.1 (as inet_aton would), and never looked up as a name
            try {
                host = IpAddress.parse(host).toString();
            } catch (InvalidAddressException e) {
                throw new IllegalArgumentException(e.getMessage() + " in '" + url + "'");
            }
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.equals("/")) {
            path = "";
        }
        return new Upstream(host, uri.getPort() < 0 ? defaultPort(tls) : uri.getPort(), path, tls);
    }

    private static int defaultPort(boolean tls) {
        return tls ? 443 : 80;
    }

    /** An IPv6 literal (it has a colon), or a name made of digits and dots only: it must be an IPv4 address. */
    static boolean looksLikeAddress(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return !host.isEmpty();
    }

    /** An address literal as an InetAddress (no lookup), or null for a name. */
    public InetAddress literal() {
        if (!looksLikeAddress(host)) {
            return null;
        }
        IpAddress a = IpAddress.parse(host);
        byte[] bytes;
        if (a.isV4()) {
            long v = a.lo();
            bytes = new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        } else {
            bytes = ByteBuffer.allocate(16).putLong(a.hi()).putLong(a.lo()).array();
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // a 4- or 16-byte address is always accepted
        }
    }

    /** host[:port] as written in a Host header (the port left out when it is the scheme's own). */
    public String authority() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return port == defaultPort(tls) ? h : h + ":" + port;
    }

    @Override
    public String toString() {
        return (tls ? "https://" : "http://") + authority() + basePath;
    }
}
