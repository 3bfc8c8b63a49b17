package dev.gatehouse.gateway.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * An upstream origin: plain HTTP host and port, plus an optional base path prepended to forwarded
 * paths. The host is a literal or a name resolved when connecting (from config, never from a header).
 */
public record Upstream(String host, int port, String basePath) {

    /** Parses {@code http://host:port[/base]}; the message explains what is wrong. */
    public static Upstream parse(String url) {
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: '" + url + "' (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http")) {
            throw new IllegalArgumentException("expected an http:// URL, got '" + url + "'"
                    + (scheme.equals("https") ? " (TLS to upstreams is not supported yet)" : ""));
        }
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
        return new Upstream(host, uri.getPort() < 0 ? 80 : uri.getPort(), path);
    }

    /** host:port as written in a Host header. */
    public String authority() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return port == 80 ? h : h + ":" + port;
    }

    @Override
    public String toString() {
        return "http://" + authority() + basePath;
    }
}
