package dev.gatehouse.gateway.console;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.admin.Activity;
import dev.gatehouse.core.admin.Heartbeats;
import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.gateway.audit.AuditWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The overview: each organisation's requests, denials and sign-ins over the last hour and day, the audit writer's
 * backlog, the database, the policy snapshot and the replicas seen lately.
 *
 * <p>Bounded work per view: the hour chart counts the last hour's rows (one bucket a minute); the day chart adds the
 * completed hours before it, counted once and kept here (an hour, once over, changes only when a spool replays into
 * it, which this view then misses until the gateway restarts — the denials page reads the rows themselves).
 */
final class Overview {
    static final Duration MINUTE = Duration.ofMinutes(1);
    static final Duration HOUR = Duration.ofHours(1);
    static final int HOUR_BARS = 60;
    static final int DAY_BARS = 24;
    static final Duration REPLICAS_SEEN = Duration.ofMinutes(1);

    private final Activity activity;
    private final Heartbeats heartbeats;
    private final Supplier<PolicySnapshot> snapshots;
    private final AuditWriter audit;
    /** Completed hours' counts, by the hour's start (an empty list: counted, nothing happened). */
    private final Map<Instant, List<Activity.Count>> hours = new ConcurrentHashMap<>();

    Overview(Activity activity, Heartbeats heartbeats, Supplier<PolicySnapshot> snapshots, AuditWriter audit) {
        this.activity = activity;
        this.heartbeats = heartbeats;
        this.snapshots = snapshots;
        this.audit = audit;
    }

    OverviewView build(Instant now) {
        String snapshot = snapshot(now);
        String backlog = audit == null ? "off (gatehouse.audit.enabled = false)"
                : audit.queueDepth() + " events queued; spool " + ConsoleFormat.bytes(audit.spoolBytes())
                + (audit.spoolBytes() == 0 ? " (nothing waiting for the database)" : " waiting for the database");
        try {
            List<OverviewView.OrgActivity> orgs = activity(now);
            List<Heartbeats.Replica> replicas = heartbeats.seenWithin(REPLICAS_SEEN, 100);
            return new OverviewView(orgs, true, "reachable", snapshot, backlog, replicas);
        } catch (GatehouseException e) {
            return new OverviewView(List.of(), false, "unreachable: " + e.getMessage(), snapshot, backlog, List.of());
        }
    }

    private String snapshot(Instant now) {
        PolicySnapshot s = snapshots.get();
        if (s == null) {
            return "not loaded yet: policy-bound routes answer 503";
        }
        return "loaded " + ConsoleFormat.age(Duration.between(s.loadedAt(), now)) + " ago, " + s.orgsByName().size()
                + " organisations";
    }

    private List<OverviewView.OrgActivity> activity(Instant now) {
        Instant minuteEnd = floor(now, MINUTE).plus(MINUTE);
        List<Activity.Count> minutes = activity.counts(minuteEnd.minus(MINUTE.multipliedBy(HOUR_BARS)), minuteEnd, MINUTE);
        Instant currentHour = floor(now, HOUR);
        Instant dayFrom = currentHour.minus(HOUR.multipliedBy(DAY_BARS - 1));
        hours.keySet().removeIf(h -> h.isBefore(dayFrom));
        Instant missing = null;
        for (Instant h = dayFrom; h.isBefore(currentHour); h = h.plus(HOUR)) {
            if (!hours.containsKey(h)) {
                missing = h;
                break;
            }
        }
        if (missing != null) {
            Map<Instant, List<Activity.Count>> fetched = new HashMap<>();
            for (Activity.Count c : activity.counts(missing, currentHour, HOUR)) {
                fetched.computeIfAbsent(c.start(), k -> new ArrayList<>()).add(c);
            }
            for (Instant h = missing; h.isBefore(currentHour); h = h.plus(HOUR)) {
                hours.put(h, List.copyOf(fetched.getOrDefault(h, List.of())));
            }
        }
        Map<String, Map<Instant, Activity.Count>> hourByOrg = new TreeMap<>();
        Map<String, Map<Instant, Activity.Count>> dayByOrg = new TreeMap<>();
        for (Activity.Count c : minutes) {
            hourByOrg.computeIfAbsent(c.org(), k -> new HashMap<>()).put(c.start(), c);
            if (!c.start().isBefore(currentHour)) {
                dayByOrg.computeIfAbsent(c.org(), k -> new HashMap<>()).merge(currentHour,
                        new Activity.Count(c.org(), currentHour, c.requests(), c.denials(), c.signIns()), Overview::sum);
            }
        }
        for (List<Activity.Count> hour : hours.values()) {
            for (Activity.Count c : hour) {
                dayByOrg.computeIfAbsent(c.org(), k -> new HashMap<>()).put(c.start(), c);
            }
        }
        List<OverviewView.OrgActivity> out = new ArrayList<>();
        TreeMap<String, Boolean> names = new TreeMap<>();
        hourByOrg.keySet().forEach(n -> names.put(n, true));
        dayByOrg.keySet().forEach(n -> names.put(n, true));
        for (String org : names.keySet()) {
            Map<Instant, Activity.Count> hour = hourByOrg.getOrDefault(org, Map.of());
            Map<Instant, Activity.Count> day = dayByOrg.getOrDefault(org, Map.of());
            Activity.Count h = total(org, hour);
            Activity.Count d = total(org, day);
            out.add(new OverviewView.OrgActivity(org, Chart.of("last hour", now, MINUTE, HOUR_BARS, 5, hour),
                    Chart.of("last day", now, HOUR, DAY_BARS, 14, day), h.requests(), h.denials(), h.signIns(),
                    d.requests(), d.denials(), d.signIns()));
        }
        return out;
    }

    private static Activity.Count total(String org, Map<Instant, Activity.Count> counts) {
        Activity.Count t = new Activity.Count(org, Instant.EPOCH, 0, 0, 0);
        for (Activity.Count c : counts.values()) {
            t = sum(t, c);
        }
        return t;
    }

    private static Activity.Count sum(Activity.Count a, Activity.Count b) {
        return new Activity.Count(a.org(), a.start(), a.requests() + b.requests(), a.denials() + b.denials(),
                a.signIns() + b.signIns());
    }

    static Instant floor(Instant t, Duration unit) {
        long s = unit.toSeconds();
        return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), s) * s);
    }
}
