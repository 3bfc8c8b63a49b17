package dev.gatehouse.gateway;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The gateway's logging, set up in code (found by logback through {@code META-INF/services}): parsing
 * an XML configuration cost a fifth of the start-up. What it sets up:
 * <ul>
 * <li>everything to stderr, one line per event ({@code 2026-11-25T18:00:00.000Z INFO  logger - message});
 * io.zonky, Flyway and HikariCP at WARN;</li>
 * <li>the access log ({@code gatehouse.access-log.enabled}) as JSON lines on stdout, written by a
 * background thread through a queue of 8192 lines that drops rather than slowing the proxy when full.</li>
 * </ul>
 * {@code -Dlogback.configurationFile=FILE}, or a {@code logback.xml} / {@code logback-test.xml} on the
 * class path, replaces all of this (logback's own configuration then runs).
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class LoggingConfigurator extends ContextAwareBase implements Configurator {
    static final String LINE = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{20} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ClassLoader cl = LoggingConfigurator.class.getClassLoader();
        if (System.getProperty("logback.configurationFile") != null || cl.getResource("logback-test.xml") != null
                || cl.getResource("logback.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        apply(context);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Sets the gateway's appenders and levels on {@code context}. */
    static void apply(LoggerContext context) {
        ConsoleAppender<ILoggingEvent> stderr = console(context, "STDERR", "System.err", LINE);
        ConsoleAppender<ILoggingEvent> stdout = console(context, "ACCESS_STDOUT", "System.out", "%msg%n");
        AsyncAppender access = new AsyncAppender();
        access.setContext(context);
        access.setName("ACCESS");
        access.setQueueSize(8192);
        access.setDiscardingThreshold(0);
        access.setNeverBlock(true);
        access.addAppender(stdout);
        access.start();

        Logger accessLogger = context.getLogger("gatehouse.access");
        accessLogger.setLevel(Level.INFO);
        accessLogger.setAdditive(false);
        accessLogger.addAppender(access);
        context.getLogger("io.zonky").setLevel(Level.WARN);
        context.getLogger("org.flywaydb").setLevel(Level.WARN);
        context.getLogger("com.zaxxer.hikari").setLevel(Level.WARN);
        context.getLogger("io.netty").setLevel(Level.INFO);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(stderr);
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext context, String name, String target,
                                                          String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName(name);
        appender.setTarget(target);
        appender.setEncoder(encoder);
        appender.start();
        return appender;
    }
}
