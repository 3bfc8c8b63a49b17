package dev.gatehouse.gateway.console;

import dev.gatehouse.core.admin.AuditLog;
import java.util.List;

/**
 * {@code /sign-ins}: the sign-ins, refused sign-ins (with their reasons) and sign-outs, newest first.
 *
 * @param org "" for every organisation
 */
public record SignInsView(String org, String since, List<AuditLog.OrgSignInEvent> events, boolean full, int limit) {
}
