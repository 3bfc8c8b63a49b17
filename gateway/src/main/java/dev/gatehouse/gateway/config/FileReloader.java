package dev.gatehouse.gateway.config;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.gateway.timers.DaemonScheduler;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads some files again on a schedule and puts a changed reading into force — all or nothing: a reading that
 * cannot be made (a file unreadable, half written, not what it should be) or cannot be applied changes nothing;
 * what is in force stays. A WARN says why once per distinct problem, however many checks see it; the failures
 * counter grows at each. Used for the Cloudflare ranges and the upstream TLS files, so that a cron job or a
 * certificate manager can replace them under a running gateway.
 *
 * @param <S> a reading: equal to the previous one when nothing changed (then nothing happens)
 */
public final class FileReloader<S> implements AutoCloseable {
    private final Logger log;
    private final String what;
    private final Supplier<S> read;
    private final Consumer<S> apply;
    private final Function<S, String> describe;
    private final ScheduledExecutorService scheduler;
    private final Duration interval;
    private final LongAdder reloads = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private volatile S inForce;
    private String lastProblem; // the scheduler's thread only

    /**
     * @param owner    whose logger speaks
     * @param what     what is reloaded, for the log ("Cloudflare ranges")
     * @param initial  the reading in force at start
     * @param read     reads the files; throws IllegalArgumentException or GatehouseException, one line, when
     *                 they are unusable
     * @param apply    puts a changed reading in force; may refuse it the same way
     * @param describe a reading in a few words, for the log
     */
    public FileReloader(Class<?> owner, String what, Duration interval, S initial, Supplier<S> read, Consumer<S> apply,
                        Function<S, String> describe) {
        this.log = LoggerFactory.getLogger(owner);
        this.what = what;
        this.inForce = initial;
        this.read = read;
        this.apply = apply;
        this.describe = describe;
        this.interval = interval;
        this.scheduler = DaemonScheduler.named("gatehouse-reload-" + owner.getSimpleName());
    }

    /** Looks again every interval from now on. */
    public FileReloader<S> start() {
        scheduler.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** One look: applies a changed, usable reading; keeps the one in force otherwise. */
    void check() {
        S before = inForce;
        S reading;
        try {
            reading = read.get();
            if (reading.equals(before)) {
                lastProblem = null;
                return;
            }
            apply.accept(reading);
        } catch (IllegalArgumentException | GatehouseException e) {
            failed(before, e.getMessage());
            return;
        } catch (Throwable e) { // anything: a scheduled task that throws is never run again
            failed(before, e.toString());
            return;
        }
        inForce = reading;
        lastProblem = null;
        reloads.increment();
        log.info("{} reloaded: {}; before: {}", what, describe.apply(reading), describe.apply(before));
    }

    private void failed(S before, String problem) {
        failures.increment();
        if (!problem.equals(lastProblem)) {
            lastProblem = problem;
            log.warn("{} not reloaded (still in force: {}): {}", what, describe.apply(before), problem);
        }
    }

    public S inForce() {
        return inForce;
    }

    /** Changed readings applied since start. */
    public long reloads() {
        return reloads.sum();
    }

    /** Checks that found the files unusable (and kept what was in force). */
    public long failures() {
        return failures.sum();
    }

    /** Its two counters, {@code <prefix>_reloads_total} and {@code <prefix>_reload_failures_total}. */
    public FileReloader<S> meters(MeterRegistry registry, String prefix, String files) {
        FunctionCounter.builder(prefix + ".reloads", this, FileReloader::reloads)
                .description("Changes to the " + files + " applied since start.").register(registry);
        FunctionCounter.builder(prefix + ".reload.failures", this, FileReloader::failures)
                .description("Checks that found the " + files + " unusable (what was in force stayed).").register(registry);
        return this;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
