package dev.gatehouse.core.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The two spellings of a database location that operators paste: the Heroku/libpq style
 * {@code postgres://user:pass@host:port/db?sslmode=require} and a JDBC URL
 * {@code jdbc:postgresql://host:port/db}. Both become a JDBC URL plus user and password.
 */
public record DatabaseUrl(String jdbcUrl, String user, String password) {

    public static DatabaseUrl parse(String value, String source) {
        String text = value.trim();
        if (text.startsWith("jdbc:postgresql:")) {
            return new DatabaseUrl(text, "", "");
        }
        if (!(text.startsWith("postgres://") || text.startsWith("postgresql://"))) {
            throw new ConfigError(source + ": expected postgres://user:pass@host:port/db or jdbc:postgresql://host:port/db, got '"
                    + redact(text) + "'");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigError(source + ": not a valid URL (" + e.getReason() + "): '" + redact(text) + "'");
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new ConfigError(source + ": no host in '" + redact(text) + "'");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String database = path.startsWith("/") ? path.substring(1) : path;
        if (database.isEmpty() || database.contains("/")) {
            throw new ConfigError(source + ": expected exactly one database name after the host in '" + redact(text) + "'");
        }
        String user = "";
        String password = "";
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
        }
        String hostPart = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        StringBuilder jdbc = new StringBuilder("jdbc:postgresql://").append(hostPart);
        if (uri.getPort() > 0) {
            jdbc.append(':').append(uri.getPort());
        }
        jdbc.append('/').append(database);
        if (uri.getRawQuery() != null && !uri.getRawQuery().isEmpty()) {
            jdbc.append('?').append(uri.getRawQuery());
        }
        return new DatabaseUrl(jdbc.toString(), user, password);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The URL with any password replaced by ***, for messages. */
    public static String redact(String url) {
        return url.replaceAll("(//[^:/@]*:)[^@/]*@", "$1***@");
    }
}
