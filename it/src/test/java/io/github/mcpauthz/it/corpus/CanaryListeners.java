package io.github.mcpauthz.it.corpus;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plain TCP listeners on loopback random ports that must stay untouched: every URL of the corpus that Keycloak could
 * connect to on a hostile client's behalf points at one of them. Each accepted connection is recorded (with the
 * first bytes the peer sent, to tell what was attempted) and closed at once; nothing is ever answered.
 *
 * <p>Listeners: {@code 127.0.0.1} (always), {@code 127.0.0.2} and {@code [::1]} when the machine has them; a missing
 * one falls back to the {@code 127.0.0.1} port (the address then refuses the connection, which proves nothing, and
 * the report says so).
 */
public final class CanaryListeners implements AutoCloseable {

    /** One connection that reached a canary. */
    public record Connection(String listener, String peer, String firstBytes) {
    }

    private final List<ServerSocket> sockets = new ArrayList<>();
    private final List<Connection> connections = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger accepted = new AtomicInteger();
    private final int v4Port;
    private final Integer secondPort;
    private final Integer v6Port;

    private CanaryListeners() {
        v4Port = listen("127.0.0.1").getLocalPort();
        ServerSocket second = tryListen("127.0.0.2");
        secondPort = second == null ? null : second.getLocalPort();
        ServerSocket v6 = tryListen("::1");
        v6Port = v6 == null ? null : v6.getLocalPort();
    }

    public static CanaryListeners start() {
        return new CanaryListeners();
    }

    public int v4Port() {
        return v4Port;
    }

    public int secondLoopbackPort() {
        return secondPort != null ? secondPort : v4Port;
    }

    public int v6Port() {
        return v6Port != null ? v6Port : v4Port;
    }

    public boolean hasSecondLoopback() {
        return secondPort != null;
    }

    public boolean hasV6() {
        return v6Port != null;
    }

    /** Connections accepted so far (counted at accept time, before anything is read). */
    public int count() {
        return accepted.get();
    }

    public List<Connection> connections() {
        synchronized (connections) {
            return List.copyOf(connections);
        }
    }

    private ServerSocket tryListen(String address) {
        try {
            return listen(address);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private ServerSocket listen(String address) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.bind(new InetSocketAddress(InetAddress.getByName(address), 0), 50);
            sockets.add(socket);
            String name = (address.contains(":") ? "[" + address + "]" : address) + ":" + socket.getLocalPort();
            Thread thread = new Thread(() -> acceptLoop(socket, name), "canary-" + name);
            thread.setDaemon(true);
            thread.start();
            return socket;
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + address, e);
        }
    }

    private void acceptLoop(ServerSocket socket, String name) {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                accepted.incrementAndGet();
                Thread reader = new Thread(() -> record(connection, name), "canary-conn");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void record(Socket socket, String name) {
        String first = "";
        try (socket) {
            socket.setSoTimeout(500);
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[200];
            int n = in.read(buffer);
            if (n > 0) {
                first = printable(buffer, n);
            }
        } catch (IOException e) {
            // nothing sent in time, or reset: the connection itself is what counts
        }
        connections.add(new Connection(name, String.valueOf(socket.getRemoteSocketAddress()), first));
    }

    private static String printable(byte[] bytes, int length) {
        if (length > 0 && bytes[0] == 0x16) {
            return "(TLS ClientHello)";
        }
        String text = new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        int end = text.indexOf('\r');
        text = end >= 0 ? text.substring(0, end) : text;
        return text.replaceAll("[^\\x20-\\x7e]", "?");
    }

    @Override
    public void close() {
        for (ServerSocket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
