package io.github.mcpauthz.it.corpus;

import io.github.mcpauthz.it.support.CimdTls;

import javax.net.ssl.SSLServerSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A metadata-document host that drips (issue 12 item 2): one byte a second for {@link #DRIP} — longer than the
 * absolute fetch deadline may be — and then, if the peer is still there, the rest at once. Three places to drip:
 * {@code handshake} (a TCP relay in front of the document server that slows the server's TLS handshake bytes),
 * {@code headers} (its own TLS server dripping the status line and headers) and {@code body} (headers at once, the
 * body dripped). It records whether the peer stayed for the whole drip ({@link #completedDrips()}): a fetcher with
 * an absolute deadline hangs up before.
 */
public final class DripServer implements AutoCloseable {

    public static final Duration DRIP = Duration.ofSeconds(20);
    private static final long STEP_MILLIS = 1000;

    private final ServerSocket tls;
    private final ServerSocket relay;
    private final int relayTarget;
    private volatile String mode = "body";
    private volatile byte[] document = new byte[0];
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger completedDrips = new AtomicInteger();

    private DripServer(int documentServerPort) {
        try {
            SSLServerSocket server = (SSLServerSocket) CimdTls.get().serverContext().getServerSocketFactory()
                    .createServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 10);
            tls = server;
            relay = new ServerSocket();
            relay.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 10);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the drip server", e);
        }
        relayTarget = documentServerPort;
        daemon("drip-tls", () -> acceptLoop(tls, this::serveTls));
        daemon("drip-relay", () -> acceptLoop(relay, this::serveRelay));
    }

    /** A drip server whose {@code handshake} relay forwards to {@code documentServerPort} on 127.0.0.1. */
    public static DripServer start(int documentServerPort) {
        return new DripServer(documentServerPort);
    }

    /** The port for {@code mode}: the relay for {@code handshake}, else the TLS server. */
    public int port(String mode) {
        return "handshake".equals(mode) ? relay.getLocalPort() : tls.getLocalPort();
    }

    /** What the TLS server answers next ({@code headers} or {@code body} drip) with this JSON document. */
    public void prepare(String mode, String documentJson) {
        this.mode = mode;
        this.document = documentJson.getBytes(StandardCharsets.UTF_8);
    }

    public int connections() {
        return connections.get();
    }

    /** Connections whose peer stayed until the whole drip was sent. */
    public int completedDrips() {
        return completedDrips.get();
    }

    private interface Handler {
        void handle(Socket socket) throws IOException;
    }

    private void acceptLoop(ServerSocket server, Handler handler) {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                daemon("drip-conn", () -> {
                    try (socket) {
                        handler.handle(socket);
                    } catch (IOException e) {
                        // the peer hung up: exactly what a deadline does
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serveTls(Socket socket) throws IOException {
        socket.setSoTimeout((int) DRIP.multipliedBy(2).toMillis());
        InputStream in = socket.getInputStream();
        int matched = 0;
        byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                return;
            }
            matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
        }
        byte[] body = document;
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        OutputStream out = socket.getOutputStream();
        if ("headers".equals(mode)) {
            drip(out, head);
            out.write(body);
        } else {
            out.write(head);
            drip(out, body);
        }
        out.flush();
    }

    /** Sends up to {@link #DRIP} seconds' worth of bytes one a second, then the rest; counts a completed drip. */
    private void drip(OutputStream out, byte[] bytes) throws IOException {
        long steps = DRIP.toMillis() / STEP_MILLIS;
        int i = 0;
        for (; i < bytes.length && i < steps; i++) {
            out.write(bytes[i]);
            out.flush();
            sleep(STEP_MILLIS);
        }
        out.write(bytes, i, bytes.length - i);
        out.flush();
        completedDrips.incrementAndGet();
    }

    private void serveRelay(Socket client) throws IOException {
        try (Socket upstream = new Socket(InetAddress.getByName("127.0.0.1"), relayTarget)) {
            InputStream fromClient = client.getInputStream();
            OutputStream toUpstream = upstream.getOutputStream();
            daemon("drip-relay-up", () -> {
                try {
                    fromClient.transferTo(toUpstream);
                } catch (IOException e) {
                    // either side closed
                }
            });
            InputStream fromUpstream = upstream.getInputStream();
            OutputStream toClient = client.getOutputStream();
            long deadline = System.nanoTime() + DRIP.toNanos();
            int b;
            while (System.nanoTime() < deadline && (b = fromUpstream.read()) >= 0) {
                toClient.write(b);
                toClient.flush();
                sleep(STEP_MILLIS);
            }
            if (System.nanoTime() >= deadline) {
                completedDrips.incrementAndGet();
            }
            fromUpstream.transferTo(toClient);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void daemon(String name, Runnable runnable) {
        Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        try {
            tls.close();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            relay.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
