package dev.gatehouse.gateway.config;

import com.typesafe.config.Config;
import dev.gatehouse.core.config.ConfigError;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the upstream may receive besides the gateway's own headers ({@code gatehouse.upstream}): the RFC 7239
 * {@code Forwarded} header or not, the client-address headers always removed, and the request trailers let through.
 *
 * <p>The rule behind it: every header the upstream receives that says who the client is, or how the message is
 * framed, is one the gateway wrote. {@link #controlled} names those headers; a client can neither remove them
 * (a {@code Connection} token naming one is ignored) nor add them (as a trailer, or under an alias).
 *
 * @param forwardedHeader     also send RFC 7239 {@code Forwarded}
 * @param stripClientHeaders  lower-case names removed from every request (unless the header is the one the client
 *                            address was believed from)
 * @param forwardTrailers     lower-case names of request trailers passed on; every other trailer is dropped
 * @param identityHeaders     lower-case, {@code -}-spelled names of headers that say who the user is (other than the
 *                            gateway's {@code X-Gatehouse-*}): removed from every request before routing, whatever
 *                            their case or underscores, so no client can claim an identity an upstream believes
 */
public record UpstreamHeaders(boolean forwardedHeader, List<String> stripClientHeaders, List<String> forwardTrailers,
                              List<String> identityHeaders) {

    /** Framing, routing and the headers the gateway sets whatever the client sent. */
    private static final Set<String> GATEWAY_SET = Set.of("content-length", "transfer-encoding", "host", "connection",
            "upgrade", "te", "trailer", "keep-alive", "proxy-connection", "x-real-ip", "forwarded", "x-request-id");

    /** What the gateway reads of a request besides GATEWAY_SET: never removable as an "identity header". */
    private static final Set<String> NEEDED = Set.of("cookie", "authorization", "accept", "origin", "sec-fetch-site",
            "cf-connecting-ip", "true-client-ip", "x-client-ip");

    public UpstreamHeaders {
        stripClientHeaders = List.copyOf(stripClientHeaders);
        forwardTrailers = List.copyOf(forwardTrailers);
        identityHeaders = List.copyOf(identityHeaders);
    }

    /** Without identity headers of the operator's: for tests of the other rules. */
    public UpstreamHeaders(boolean forwardedHeader, List<String> stripClientHeaders, List<String> forwardTrailers) {
        this(forwardedHeader, stripClientHeaders, forwardTrailers, List.of());
    }

    /**
     * Whether the gateway decides this header's value (name in lower case): framing and hop-by-hop headers, Host,
     * X-Real-IP, X-Forwarded-*, Forwarded, X-Request-Id, X-Gatehouse-*, the client-address headers it strips and
     * the identity headers it removes.
     */
    public boolean controlled(String lowerCaseName) {
        return GATEWAY_SET.contains(lowerCaseName) || lowerCaseName.startsWith("x-forwarded-")
                || GatewayNamespace.isOwnHeader(lowerCaseName) || stripClientHeaders.contains(lowerCaseName)
                || identityHeaders.contains(lowerCaseName.replace('_', '-'));
    }

    public static UpstreamHeaders from(Config g) {
        List<String> strip = names(g, "upstream.strip-client-headers");
        List<String> identity = names(g, "upstream.strip-identity-headers").stream().map(GatewayNamespace::normalName)
                .distinct().toList();
        for (String name : identity) {
            if (GATEWAY_SET.contains(name) || NEEDED.contains(name) || name.startsWith("x-forwarded-for")
                    || name.equals("x-forwarded-proto") || name.equals("x-forwarded-host")) {
                // removed before routing, these would unframe the body (request smuggling), lose the route, the
                // session or the token, or what the client address is decided from
                throw ConfigError.at("gatehouse.upstream.strip-identity-headers",
                        g.getValue("upstream.strip-identity-headers").origin(), "'" + name + "' is not an identity header:"
                        + " the gateway needs it (framing, routing, sign-in or tokens)");
            }
        }
        UpstreamHeaders draft = new UpstreamHeaders(g.getBoolean("upstream.forwarded-header"), strip, List.of(), identity);
        List<String> trailers = names(g, "upstream.forward-trailers");
        for (String t : trailers) {
            if (draft.controlled(t)) {
                throw ConfigError.at("gatehouse.upstream.forward-trailers", g.getValue("upstream.forward-trailers").origin(),
                        "'" + t + "' is a header the gateway controls; it is never taken from a trailer");
            }
        }
        return new UpstreamHeaders(draft.forwardedHeader(), strip, trailers, identity);
    }

    private static List<String> names(Config g, String path) {
        List<String> out = new ArrayList<>();
        for (String raw : g.getStringList(path)) {
            String name = raw.strip().toLowerCase(Locale.ROOT);
            if (name.isEmpty() || HttpHeaderValidationUtil.validateToken(name) >= 0) {
                throw ConfigError.at("gatehouse." + path, g.getValue(path).origin(), "'" + raw + "' is not a header name");
            }
            if (!out.contains(name)) {
                out.add(name);
            }
        }
        return out;
    }

}
