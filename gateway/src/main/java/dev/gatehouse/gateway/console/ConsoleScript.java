package dev.gatehouse.gateway.console;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The console's one script (the denials' live tail), served by the console itself: the CSP allows nothing else. */
final class ConsoleScript {
    static final String PATH = "/console.js";
    static final ConsoleAnswer ANSWER = ConsoleAnswer.bytes(HttpResponseStatus.OK, "text/javascript; charset=utf-8",
            read());

    private ConsoleScript() {
    }

    private static byte[] read() {
        try (InputStream in = ConsoleScript.class.getResourceAsStream("console.js")) {
            if (in == null) {
                throw new IllegalStateException("console.js missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
