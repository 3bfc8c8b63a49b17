package dev.gatehouse.gateway.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real TCP upstream that misbehaves on purpose: each accepted connection is handed to a script
 * (hang, reset mid-body, stream gigabytes...). The request head is read before the script runs.
 */
public final class ScriptedUpstream implements AutoCloseable {
    /** What to do with one connection, after its request head was read. */
    @FunctionalInterface
    public interface Script {
        void run(Socket socket, String requestHead) throws Exception;
    }

    private final ServerSocket server;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    public ScriptedUpstream(Script script) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        pool.submit(() -> {
            while (!server.isClosed()) {
                Socket s;
                try {
                    s = server.accept();
                } catch (IOException e) {
                    return;
                }
                pool.submit(() -> {
                    try (s) {
                        script.run(s, readHead(s.getInputStream()));
                    } catch (SocketException | InterruptedException ignored) {
                        // the gateway closed it, or the test is over: part of the tests
                    } catch (Exception e) {
                        e.printStackTrace();
                    }
                });
            }
        });
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Reads up to the blank line ending a head; "" when the connection ended first. */
    public static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            sb.append((char) c);
            if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        return sb.toString();
    }

    public static void write(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Closes with a TCP RST instead of a FIN. */
    public static void reset(Socket s) throws IOException {
        s.setSoLinger(true, 0);
        s.close();
    }

    @Override
    public void close() throws IOException {
        server.close();
        pool.shutdownNow();
    }
}
