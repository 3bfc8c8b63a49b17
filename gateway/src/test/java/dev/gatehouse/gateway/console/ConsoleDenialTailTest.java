package dev.gatehouse.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.admin.AccessEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Where a live tail starts: a Last-Event-ID or after= is kept within the filter's window. */
class ConsoleDenialTailTest {
    static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    static final UUID ID = UUID.randomUUID();

    @Test
    void aCursorOlderThanTheWindowStartsAtTheWindow() {
        Instant since = NOW.minus(Duration.ofMinutes(15));
        AccessEvents.Cursor old = new AccessEvents.Cursor(NOW.minus(Duration.ofDays(46)), ID);
        assertThat(DenialTail.clamp(old, since, NOW)).isEqualTo(new AccessEvents.Cursor(since, new UUID(0, 0)));
        AccessEvents.Cursor zero = DenialTail.cursor("0_00000000-0000-0000-0000-000000000000");
        assertThat(DenialTail.clamp(zero, since, NOW).time()).isEqualTo(since);
    }

    @Test
    void neverBeforeTheLongestWindowEvenWithoutSince() {
        AccessEvents.Cursor old = new AccessEvents.Cursor(Instant.EPOCH, ID);
        assertThat(DenialTail.clamp(old, null, NOW).time()).isEqualTo(NOW.minus(DenialFilter.MAX_WINDOW));
        assertThat(DenialTail.clamp(old, NOW.minus(Duration.ofDays(400)), NOW).time())
                .isEqualTo(NOW.minus(DenialFilter.MAX_WINDOW));
    }

    @Test
    void aCursorInTheFutureStartsNow() {
        AccessEvents.Cursor later = new AccessEvents.Cursor(NOW.plus(Duration.ofDays(3)), ID);
        assertThat(DenialTail.clamp(later, null, NOW).time()).isEqualTo(NOW);
    }

    @Test
    void aCursorWithinTheWindowIsKeptAndNoneStartsASettleAgo() {
        AccessEvents.Cursor c = new AccessEvents.Cursor(NOW.minus(Duration.ofMinutes(5)), ID);
        assertThat(DenialTail.clamp(c, NOW.minus(Duration.ofMinutes(15)), NOW)).isSameAs(c);
        assertThat(DenialTail.clamp(null, NOW.minus(Duration.ofMinutes(15)), NOW).time())
                .isEqualTo(NOW.minus(DenialTail.SETTLE));
    }
}
