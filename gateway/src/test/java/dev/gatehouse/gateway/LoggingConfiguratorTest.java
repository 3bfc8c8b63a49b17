package dev.gatehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;

/** The logging the gateway's jar sets up when no logback file is given. */
class LoggingConfiguratorTest {
    @Test
    void stderrForEventsAnAsynchronousStdoutForTheAccessLog() {
        LoggerContext context = new LoggerContext();
        LoggingConfigurator.apply(context);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.INFO);
        ConsoleAppender<?> stderr = (ConsoleAppender<?>) root.getAppender("STDERR");
        assertThat(stderr.getTarget()).isEqualTo("System.err");
        assertThat(stderr.isStarted()).isTrue();

        Logger access = context.getLogger("gatehouse.access");
        assertThat(access.isAdditive()).as("access lines never reach stderr").isFalse();
        AsyncAppender async = (AsyncAppender) access.getAppender("ACCESS");
        assertThat(async.isNeverBlock()).as("a full queue drops lines rather than stalling an event loop").isTrue();
        assertThat(async.getDiscardingThreshold()).isZero();
        assertThat(((ConsoleAppender<?>) async.getAppender("ACCESS_STDOUT")).getTarget()).isEqualTo("System.out");

        assertThat(context.getLogger("org.flywaydb").getLevel()).isEqualTo(Level.WARN);
        assertThat(context.getLogger("com.zaxxer.hikari").getLevel()).isEqualTo(Level.WARN);
        context.stop();
    }

    @Test
    void aLogbackFileOnTheClassPathTakesOver() {
        // the test class path has logback-test.xml: the configurator steps aside for logback's own
        LoggingConfigurator c = new LoggingConfigurator();
        LoggerContext context = new LoggerContext();
        c.setContext(context);
        assertThat(c.configure(context)).isEqualTo(Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext()).isFalse();
    }
}
