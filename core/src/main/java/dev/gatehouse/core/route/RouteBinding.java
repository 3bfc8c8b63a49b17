package dev.gatehouse.core.route;

import java.util.Locale;

/**
 * What a route is bound to for policy enforcement.
 *
 * @param org   organisation name, or null
 * @param app   app name within {@code org}, or null
 * @param token whether requests must identify themselves with an API token
 * @param sso   whether browser requests must be signed in: {@code auto} (when the organisation requires it and has an
 *              enabled provider), {@code required} (always, unless the organisation's SSO is suspended by break-glass;
 *              503 without a provider), {@code off} (never)
 * @param assertionAudience the {@code aud} of the identity assertion a signed-in request carries upstream, or null
 *                          for the default: {@code Org/App} on an app's route, the organisation's name otherwise
 */
public record RouteBinding(String org, String app, boolean token, Sso sso, String assertionAudience) {
    public static final RouteBinding NONE = new RouteBinding(null, null, false, Sso.AUTO);

    /** A route's {@code sso} setting. */
    public enum Sso { AUTO, REQUIRED, OFF }

    public RouteBinding(String org, String app, boolean token) {
        this(org, app, token, Sso.AUTO);
    }

    public RouteBinding(String org, String app, boolean token, Sso sso) {
        this(org, app, token, sso, null);
    }

    /** The audience of the route's identity assertions: the configured one, else Org/App, else the organisation. */
    public String audience() {
        return assertionAudience != null ? assertionAudience : app != null ? org + "/" + app : org;
    }

    /** True when requests on the route are policy-checked. */
    public boolean checked() {
        return org != null || token;
    }

    /**
     * What the binding means, for the start log and {@code route explain}: "not policy-checked", "org Acme",
     * "app Acme/vault" or "organisation from the API token", then ", API token required" and a non-default sso.
     */
    public String describe() {
        if (!checked()) {
            return "not policy-checked";
        }
        return (app != null ? "app " + org + "/" + app : org != null ? "org " + org : "organisation from the API token")
                + (token ? ", API token required" : "") + (sso == Sso.AUTO ? "" : ", sso " + sso.name().toLowerCase(Locale.ROOT));
    }

    /** True when sign-in may apply: an organisation's route that takes no API token and does not opt out. */
    public boolean signInPossible() {
        return org != null && !token && sso != Sso.OFF;
    }
}
