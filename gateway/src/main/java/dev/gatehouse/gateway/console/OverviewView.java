package dev.gatehouse.gateway.console;

import dev.gatehouse.core.admin.Heartbeats;
import java.util.List;

/**
 * What the overview page ({@code /}) shows.
 *
 * @param database "reachable", or why not
 * @param snapshot the policy snapshot's age and size, or that none is loaded
 * @param audit    the audit writer's queue and spool, or that the audit log is off
 */
public record OverviewView(List<OrgActivity> orgs, boolean databaseUp, String database, String snapshot, String audit,
                           List<Heartbeats.Replica> replicas) {

    /** One organisation's last hour (one bar a minute) and last day (one bar an hour). */
    public record OrgActivity(String org, Chart hour, Chart day, long hourRequests, long hourDenials, long hourSignIns,
                              long dayRequests, long dayDenials, long daySignIns) {
    }
}
