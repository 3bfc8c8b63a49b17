package dev.gatehouse.gateway.config;

import java.net.URI;
import java.net.URISyntaxException;
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

    /** Parses {@code http://host:port[/base]} or {@code https://…}; the message explains what is wrong. */
    public static Upstream parse(String url) {
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: '" + url + "' (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("expected an http:// or https:// URL, got '" + url + "'");
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
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.equals("/")) {
            path = "";
        }
        return new Upstream(host, uri.getPort() < 0 ? defaultPort(tls) : uri.getPort(), path, tls);
    }

    private static int defaultPort(boolean tls) {
        return tls ? 443 : 80;
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
