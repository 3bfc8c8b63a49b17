package dev.gatehouse.gateway.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Locale;

/**
 * A session's renewal (a {@code Set-Cookie} restarting its idle time) on an upstream's response — never on one a shared
 * cache may store: a cache would hand the cookie, and so the session, to the next visitor.
 * <ul>
 *   <li>a CDN's own caching header ({@code CDN-Cache-Control}, {@code Cloudflare-CDN-Cache-Control},
 *       {@code Surrogate-Control}): the CDN follows it, not {@code Cache-Control} — not renewed here;</li>
 *   <li>{@code Cache-Control} with {@code private} (unqualified: {@code private="X"} lets a shared cache keep the rest)
 *       or {@code no-store}: no shared cache keeps it — renewed;</li>
 *   <li>{@code public} or {@code s-maxage}: the upstream means it for shared caches — not renewed here (the next
 *       private response renews);</li>
 *   <li>anything else (no Cache-Control, {@code max-age} alone...): a shared cache may store it heuristically, so
 *       {@code private} is added — a response to a signed-in request is that user's anyway — and it is renewed.</li>
 * </ul>
 */
final class SessionRenewal {
    private SessionRenewal() {
    }

    /** Adds the renewal to the response headers, or not (see above); true when added. */
    static boolean add(HttpHeaders response, String setCookie) {
        if (response.contains("CDN-Cache-Control") || response.contains("Cloudflare-CDN-Cache-Control")
                || response.contains("Surrogate-Control")) {
            return false;
        }
        List<String> cacheControl = response.getAll(HttpHeaderNames.CACHE_CONTROL);
        boolean privateAlready = false;
        for (String value : cacheControl) {
            for (String directive : value.split(",")) {
                String d = directive.strip().toLowerCase(Locale.ROOT);
                int eq = d.indexOf('=');
                String name = eq < 0 ? d : d.substring(0, eq).strip();
                if (name.equals("public") || name.equals("s-maxage")) {
                    return false;
                }
                if (name.equals("private") && eq < 0 || name.equals("no-store")) {
                    privateAlready = true;
                }
            }
        }
        if (!privateAlready) {
            if (cacheControl.isEmpty()) {
                response.set(HttpHeaderNames.CACHE_CONTROL, "private");
            } else {
                response.set(HttpHeaderNames.CACHE_CONTROL, String.join(", ", cacheControl) + ", private");
            }
        }
        response.add(HttpHeaderNames.SET_COOKIE, setCookie);
        return true;
    }
}
