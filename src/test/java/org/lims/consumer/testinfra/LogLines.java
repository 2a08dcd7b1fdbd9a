package org.lims.consumer.testinfra;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/** The log lines an in-process app writes under one logger name, for tests that check what an operator reads. */
public final class LogLines {

    private static final String APPENDER = "test-log-lines";

    private LogLines() {
    }

    /** Starts collecting the messages of loggers named {@code prefix}...; {@link #stop()} ends it. */
    public static List<String> capture(String prefix) {
        List<String> lines = new CopyOnWriteArrayList<>();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        AbstractAppender appender = new AbstractAppender(APPENDER, null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                if (event.getLoggerName().startsWith(prefix)) {
                    lines.add(event.getMessage().getFormattedMessage());
                }
            }
        };
        appender.start();
        context.getConfiguration().getRootLogger().addAppender(appender, null, null);
        context.updateLoggers();
        return lines;
    }

    public static void stop() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        context.getConfiguration().getRootLogger().removeAppender(APPENDER);
        context.updateLoggers();
    }
}
