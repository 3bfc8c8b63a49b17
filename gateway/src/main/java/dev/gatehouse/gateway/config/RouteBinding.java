package dev.gatehouse.gateway.config;

/**
 * What a route is bound to for policy enforcement.
 *
 * @param org   organisation name, or null
 * @param app   app name within {@code org}, or null
 * @param token whether requests must identify themselves with an API token
 */
public record RouteBinding(String org, String app, boolean token) {
    public static final RouteBinding NONE = new RouteBinding(null, null, false);

    /** True when requests on the route are policy-checked. */
    public boolean checked() {
        return org != null || token;
    }
}
