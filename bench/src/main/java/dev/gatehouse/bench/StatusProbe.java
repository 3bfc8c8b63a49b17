package dev.gatehouse.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends a request to a gateway every {@code paceNanos} on one kept-alive connection, with a trusted
 * {@code X-Forwarded-For}, and remembers when the status last changed: the probe of the propagation drivers
 * ({@link PropagationBenchmark}, {@link FleetBenchmark}). Its pace is its resolution.
 */
final class StatusProbe {
    final Thread thread;
    private final int port;
    private final String clientIp;
    private final long paceNanos;
    private volatile boolean running = true;
    private volatile int lastStatus;
    private volatile long lastChange;
    /** The Cookie header sent with each request (a session, for the revocation benchmark), or null. */
    volatile String cookie;

    StatusProbe(int port, String clientIp, long paceNanos) {
        this.port = port;
        this.clientIp = clientIp;
        this.paceNanos = paceNanos;
        this.thread = new Thread(this::loop, "probe-" + port);
        this.thread.setDaemon(true);
    }

    /** The time the status became {@code want}; waits for it. */
    long awaitStatus(int want, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (lastStatus != want) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("gateway on port " + port + " still answers " + lastStatus
                        + ", not " + want + ", after " + timeoutNanos / 1_000_000_000 + " s");
            }
            // park, not spin: a spinning driver would take one of the two cores from the gateways it measures
            // (the time recorded is the probe's, so waking late costs no precision)
            LockSupport.parkNanos(100_000);
        }
        return lastChange;
    }

    private byte[] request(String withCookie) {
        return ("GET /probe HTTP/1.1\r\nHost: bench\r\nAccept: application/json\r\nX-Forwarded-For: " + clientIp
                + "\r\n" + (withCookie == null ? "" : "Cookie: " + withCookie + "\r\n") + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    void stop() {
        running = false;
    }

    private void loop() {
        String sentCookie = null;
        byte[] request = request(null);
        while (running) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setTcpNoDelay(true);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                while (running) {
                    if (cookie != sentCookie) {
                        sentCookie = cookie;
                        request = request(sentCookie);
                    }
                    out.write(request);
                    int status = readResponse(in);
                    long now = System.nanoTime();
                    if (status != lastStatus) {
                        lastChange = now; // written before the status: a reader seeing the status sees the time
                        lastStatus = status;
                    }
                    LockSupport.parkNanos(paceNanos);
                }
            } catch (IOException e) {
                if (running) {
                    System.err.println("probe on port " + port + ": " + e.getMessage() + "; reconnecting");
                }
            }
        }
    }

    /** Reads one response with a Content-Length body; returns its status. */
    private static int readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder(256);
        int c;
        while ((c = in.read()) != -1) {
            head.append((char) c);
            int n = head.length();
            if (n >= 4 && head.charAt(n - 1) == '\n' && head.charAt(n - 2) == '\r' && head.charAt(n - 3) == '\n') {
                break;
            }
        }
        if (c == -1) {
            throw new IOException("connection closed");
        }
        String h = head.toString();
        int status = Integer.parseInt(h.substring(9, 12));
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(length);
        return status;
    }
}
