package dev.gatehouse.gateway.console;

import dev.gatehouse.core.admin.Activity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One organisation's activity over a window as a bar chart the page draws in SVG: per bucket, a bar of requests with
 * the denials over it and a dot when someone signed in. Everything here is numbers and text the template escapes;
 * the geometry is computed here so the template only places it. Server-rendered SVG rather than a chart library:
 * nothing to load, no script, nothing the console's Content-Security-Policy has to allow, and it prints.
 *
 * @param width  the drawing's width in SVG units (one bar per bucket)
 * @param height its height
 * @param max    the largest bucket's requests: the top of the scale
 */
public record Chart(int width, int height, List<Bar> bars, long max, String from, String to, String label) {
    static final int GAP = 1;
    static final int HEIGHT = 48;
    /** Room above the bars for the sign-in dots. */
    static final int TOP = 8;

    /**
     * One bucket.
     *
     * @param title what the bucket holds, in words (the tooltip)
     */
    public record Bar(int x, int width, int requestsY, int requestsHeight, int denialsY, int denialsHeight,
                      boolean signIn, int dotX, String title) {
    }

    /**
     * The chart of {@code buckets} buckets of {@code bucket} ending at {@code end}, from one organisation's counts,
     * each bar {@code bar} units wide.
     */
    static Chart of(String label, Instant end, Duration bucket, int buckets, int bar, Map<Instant, Activity.Count> counts) {
        long width = bucket.toSeconds();
        Instant last = Instant.ofEpochSecond(Math.floorDiv(end.getEpochSecond(), width) * width);
        Instant first = last.minusSeconds(width * (buckets - 1));
        long max = 1;
        for (Activity.Count c : counts.values()) {
            max = Math.max(max, c.requests());
        }
        List<Bar> bars = new ArrayList<>(buckets);
        int scale = HEIGHT - TOP;
        for (int i = 0; i < buckets; i++) {
            Instant start = first.plusSeconds(width * i);
            Activity.Count c = counts.get(start);
            long requests = c == null ? 0 : c.requests();
            long denials = c == null ? 0 : c.denials();
            long signIns = c == null ? 0 : c.signIns();
            int rh = requests == 0 ? 0 : (int) Math.max(1, Math.round((double) requests * scale / max));
            int dh = denials == 0 ? 0 : (int) Math.max(1, Math.round((double) denials * scale / max));
            int x = i * (bar + GAP);
            bars.add(new Bar(x, bar, HEIGHT - rh, rh, HEIGHT - dh, dh, signIns > 0, x + bar / 2,
                    ConsoleFormat.time(start) + ": " + requests + " requests, " + denials + " denied, " + signIns
                            + " sign-ins"));
        }
        return new Chart(buckets * (bar + GAP), HEIGHT, bars, max, ConsoleFormat.clock(first),
                ConsoleFormat.clock(last.plusSeconds(width)), label);
    }
}
