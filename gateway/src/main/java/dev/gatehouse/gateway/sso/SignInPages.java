package dev.gatehouse.gateway.sso;

import dev.gatehouse.gateway.request.LocalAnswer;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.Map;

/**
 * The sign-in pages' answers. Text only: the templates render it (and escape it) — a provider's error, an email
 * address or an organisation's name is shown as what it is, never as markup.
 */
final class SignInPages {
    private SignInPages() {
    }

    /** A refused or failed sign-in: what happened, in words; the sign-in cookie is cleared (it is spent). */
    static LocalAnswer refused(HttpResponseStatus status, String title, String reason, String text) {
        return LocalAnswer.page(status, title, reason, List.of(SignInCookies.clear(SignInCookies.SIGN_IN)), text);
    }

    /** A request the sign-in pages do not take: a plain page, no cookie touched. */
    static LocalAnswer badRequest(String reason, String text) {
        return LocalAnswer.page(HttpResponseStatus.BAD_REQUEST, "Bad request", reason, List.of(), text);
    }

    /** 429: this address asked too often; {@code Retry-After} says when it may again. */
    static LocalAnswer throttled(long retryAfterSeconds) {
        return LocalAnswer.page(HttpResponseStatus.TOO_MANY_REQUESTS, "Too many sign-in attempts", "sso_throttled",
                List.of(Map.entry("Retry-After", Long.toString(retryAfterSeconds))),
                "Too many sign-in requests came from your address. Try again in " + retryAfterSeconds + " s.");
    }

    static LocalAnswer busy() {
        return LocalAnswer.page(HttpResponseStatus.SERVICE_UNAVAILABLE, "Sign-in busy", "sso_busy", List.of(),
                "Too many sign-ins at once; try again in a moment.");
    }

    /** GET of the sign-out page: a button that posts (a cross-site link cannot sign anyone out). */
    static LocalAnswer confirmSignOut() {
        return LocalAnswer.form(HttpResponseStatus.OK, "Sign out", GatehousePages.LOGOUT, "Sign out", "sso_sign_out_page",
                List.of(), "Sign out of this site?");
    }
}
