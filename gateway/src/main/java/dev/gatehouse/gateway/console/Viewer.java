package dev.gatehouse.gateway.console;

/**
 * Who is looking at the console.
 *
 * @param name     the signed-in admin account (with its organisation), or "loopback"
 * @param clientIp the address the request came from, as resolved
 * @param signedIn an admin who signed in (their page views are recorded in admin_actions); false on loopback
 */
record Viewer(String name, String clientIp, boolean signedIn) {
}
