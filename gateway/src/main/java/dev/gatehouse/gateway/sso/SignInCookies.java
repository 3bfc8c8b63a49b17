package dev.gatehouse.gateway.sso;

import dev.gatehouse.gateway.config.GatewayNamespace;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.util.Map;

/**
 * The gateway's cookies (all in its namespace, {@link GatewayNamespace#COOKIE_PREFIX}: never sent upstream, never
 * settable by an upstream), set host-only ({@code __Host-}: Secure, Path=/, no Domain), never to scripts, and
 * cross-site only on top-level GETs ({@code SameSite=Lax}, which the provider's redirect back is).
 */
final class SignInCookies {
    /** The session. */
    static final String SESSION = "__Host-gatehouse";
    /** A sign-in in progress, on the public base URL's host: state, nonce, PKCE verifier. */
    static final String SIGN_IN = "__Host-gatehouse-signin";
    /** A sign-in begun on an app's host: the binding its hand-over code must match. */
    static final String HAND_OVER = "__Host-gatehouse-handover";

    private SignInCookies() {
    }

    static Map.Entry<String, String> set(String name, String value, long maxAgeSeconds) {
        return Map.entry("Set-Cookie", name + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds
                + "; Secure; HttpOnly; SameSite=Lax");
    }

    static Map.Entry<String, String> clear(String name) {
        return set(name, "", 0);
    }

    /** The one value of cookie {@code name} in the request; null when absent or sent twice (neither is trusted). */
    static String read(HttpRequest head, String name) {
        String found = null;
        for (String header : head.headers().getAll(HttpHeaderNames.COOKIE)) {
            for (Cookie c : ServerCookieDecoder.STRICT.decodeAll(header)) {
                if (c.name().equals(name)) {
                    if (found != null) {
                        return null;
                    }
                    found = c.value();
                }
            }
        }
        return found;
    }
}
