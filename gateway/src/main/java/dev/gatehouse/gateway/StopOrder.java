package dev.gatehouse.gateway;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What has started, in order; {@link #stop()} stops it in reverse, each part once, whatever the others do. */
final class StopOrder {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    /** Records a started part (null: nothing was started) and hands it back. */
    <T extends AutoCloseable> T add(T part) {
        if (part != null) {
            started.push(part);
        }
        return part;
    }

    /** Stops every part, the last started first; a failure to stop one is logged and the others still stop. */
    void stop() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                log.warn("While stopping: {}", e.toString());
            }
        }
    }
}
