package io.github.mcpauthz.cimd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLSocketFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetadataDocumentFetcherTest {

    private ServerSocket server;
    private final AtomicInteger hits = new AtomicInteger();

    /** Serves one canned raw HTTP response per connection, optionally after a delay. */
    private int serve(String rawResponse, long delayMillis) throws IOException {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    hits.incrementAndGet();
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[4096];
                    in.read(buf);
                    Thread.sleep(delayMillis);
                    OutputStream out = s.getOutputStream();
                    out.write(rawResponse.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private static MetadataDocumentFetcher fetcher(List<SpecialUseAddresses.Range> allowed) {
        return new MetadataDocumentFetcher(new MetadataDocumentFetcher.Settings(1000, 500, 1500, 5120, allowed),
                (SSLSocketFactory) SSLSocketFactory.getDefault(), InetAddress::getAllByName);
    }

    private static final List<SpecialUseAddresses.Range> LOOPBACK = List.of(SpecialUseAddresses.Range.parse("127.0.0.0/8"));

    private static ClientIdUrl url(int port) throws Exception {
        return ClientIdUrl.parse("http://127.0.0.1:" + port + "/client.json", true);
    }

    @Test
    void fetchesA200DocumentWithItsCacheLifetime() throws Exception {
        String body = "{\"client_id\":\"x\"}";
        int port = serve("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: public, max-age=600\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body, 0);
        MetadataDocumentFetcher.Fetched fetched = fetcher(LOOPBACK).fetch(url(port));
        assertEquals(body, new String(fetched.body(), StandardCharsets.UTF_8));
        assertEquals(600, fetched.maxAgeSeconds());
        assertFalse(fetched.noStore());
    }

    @Test
    void readsChunkedBodies() throws Exception {
        int port = serve("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nCache-Control: no-store\r\n\r\n"
                + "5\r\n{\"a\":\r\n3\r\n 1}\r\n0\r\n\r\n", 0);
        MetadataDocumentFetcher.Fetched fetched = fetcher(LOOPBACK).fetch(url(port));
        assertEquals("{\"a\": 1}", new String(fetched.body(), StandardCharsets.UTF_8));
        assertTrue(fetched.noStore());
    }

    @Test
    void doesNotFollowRedirects() throws Exception {
        int port = serve("HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/latest\r\nContent-Length: 0\r\n\r\n", 0);
        MetadataDocumentFetcher.FetchException e = assertThrows(MetadataDocumentFetcher.FetchException.class,
                () -> fetcher(LOOPBACK).fetch(url(port)));
        assertEquals("the metadata document URL answered a redirect (HTTP 302), which is not followed", e.getMessage());
        assertEquals(1, hits.get());
    }

    @Test
    void refusesNon200() throws Exception {
        int port = serve("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 0);
        assertEquals("the metadata document URL answered HTTP 404 instead of 200",
                assertThrows(MetadataDocumentFetcher.FetchException.class, () -> fetcher(LOOPBACK).fetch(url(port))).getMessage());
    }

    @Test
    void capsTheSize() throws Exception {
        String big = "x".repeat(6000);
        int port = serve("HTTP/1.1 200 OK\r\n\r\n" + big, 0);
        assertEquals("the metadata document is larger than 5120 bytes",
                assertThrows(MetadataDocumentFetcher.FetchException.class, () -> fetcher(LOOPBACK).fetch(url(port))).getMessage());
        server.close();
        int port2 = serve("HTTP/1.1 200 OK\r\nContent-Length: 999999\r\n\r\n{}", 0);
        assertEquals("the metadata document is larger than 5120 bytes",
                assertThrows(MetadataDocumentFetcher.FetchException.class, () -> fetcher(LOOPBACK).fetch(url(port2))).getMessage());
    }

    @Test
    void timesOutOnSlowServers() throws Exception {
        int port = serve("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", 2000);
        long start = System.nanoTime();
        assertEquals("the metadata document server did not answer within the time limit",
                assertThrows(MetadataDocumentFetcher.FetchException.class, () -> fetcher(LOOPBACK).fetch(url(port))).getMessage());
        assertTrue((System.nanoTime() - start) / 1_000_000 < 1800);
    }

    @Test
    void refusesSpecialUseAddressesWithoutConnecting() throws Exception {
        int port = serve("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", 0);
        MetadataDocumentFetcher.FetchException e = assertThrows(MetadataDocumentFetcher.FetchException.class,
                () -> fetcher(List.of()).fetch(url(port)));
        assertTrue(e.getMessage().contains("special-use address (127.0.0.1)"), e.getMessage());
        assertEquals(0, hits.get());
    }

    @Test
    void refusesAHostWithAnySpecialUseAddress() throws Exception {
        MetadataDocumentFetcher mixed = new MetadataDocumentFetcher(
                new MetadataDocumentFetcher.Settings(1000, 500, 1500, 5120, List.of()), (SSLSocketFactory) SSLSocketFactory.getDefault(),
                host -> new InetAddress[] {InetAddress.getByName("93.184.215.14"), InetAddress.getByName("169.254.169.254")});
        MetadataDocumentFetcher.FetchException e = assertThrows(MetadataDocumentFetcher.FetchException.class,
                () -> mixed.fetch(ClientIdUrl.parse("https://rebind.example/client.json", false)));
        assertTrue(e.getMessage().contains("169.254.169.254"), e.getMessage());
    }

    // --- one absolute deadline -------------------------------------------------------------------------------------

    private static MetadataDocumentFetcher loopbackFetcher(int readTimeoutMillis, int deadlineMillis, MetadataDocumentFetcher.Resolver resolver) {
        return new MetadataDocumentFetcher(new MetadataDocumentFetcher.Settings(1000, readTimeoutMillis, deadlineMillis, 5120, LOOPBACK),
                (SSLSocketFactory) SSLSocketFactory.getDefault(), resolver);
    }

    private static final MetadataDocumentFetcher.Resolver TO_LOOPBACK =
            host -> new InetAddress[] {InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1})};

    /** Accepts TCP connections and runs {@code behaviour} on each in its own thread until the test ends. */
    private int rawServer(SocketBehaviour behaviour) throws IOException {
        server = new ServerSocket(0, 10, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    hits.incrementAndGet();
                    Thread worker = new Thread(() -> {
                        try (s) {
                            behaviour.run(s);
                        } catch (IOException | InterruptedException e) {
                            // the fetcher hung up
                        }
                    });
                    worker.setDaemon(true);
                    worker.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }

    interface SocketBehaviour {
        void run(Socket socket) throws IOException, InterruptedException;
    }

    /** A server that accepts TCP and never answers the ClientHello: the handshake ends at the deadline. */
    @Test
    void deadlineHoldsAgainstATlsHandshakeThatNeverCompletes() throws Exception {
        int port = rawServer(socket -> Thread.sleep(60_000));
        MetadataDocumentFetcher fetcher = loopbackFetcher(60_000, 1000, TO_LOOPBACK);
        ClientIdUrl url = ClientIdUrl.parse("https://docs.example:" + port + "/client.json", false);

        MetadataDocumentFetcher.FetchException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> assertThrows(MetadataDocumentFetcher.FetchException.class, () -> fetcher.fetch(url)));

        assertEquals(MetadataDocumentFetcher.TIME_LIMIT, e.getMessage());
        assertEquals(1, hits.get());
    }

    /**
     * A server that answers the ClientHello with a TLS record header announcing 16 KB and then one byte every 100 ms:
     * each read gets data well within the read timeout, only the deadline stops the handshake.
     */
    @Test
    void deadlineHoldsAgainstADrippingTlsHandshake() throws Exception {
        int port = rawServer(socket -> {
            socket.getInputStream().read(new byte[4096]);
            OutputStream out = socket.getOutputStream();
            out.write(new byte[] {0x16, 0x03, 0x03, 0x40, 0x00});
            out.flush();
            for (int i = 0; i < 600; i++) {
                Thread.sleep(100);
                out.write(0x02);
                out.flush();
            }
        });
        MetadataDocumentFetcher fetcher = loopbackFetcher(60_000, 1000, TO_LOOPBACK);
        ClientIdUrl url = ClientIdUrl.parse("https://docs.example:" + port + "/client.json", false);

        MetadataDocumentFetcher.FetchException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> assertThrows(MetadataDocumentFetcher.FetchException.class, () -> fetcher.fetch(url)));

        assertEquals(MetadataDocumentFetcher.TIME_LIMIT, e.getMessage());
    }

    /** Headers at once, then the body one byte every 100 ms: the deadline, not the read timeout, ends it. */
    @Test
    void deadlineHoldsAgainstADrippingBody() throws Exception {
        int port = rawServer(socket -> {
            socket.getInputStream().read(new byte[4096]);
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 600\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            for (int i = 0; i < 600; i++) {
                Thread.sleep(100);
                out.write(' ');
                out.flush();
            }
        });
        MetadataDocumentFetcher fetcher = loopbackFetcher(60_000, 1000, TO_LOOPBACK);
        ClientIdUrl url = ClientIdUrl.parse("http://docs.example:" + port + "/client.json", true);

        MetadataDocumentFetcher.FetchException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> assertThrows(MetadataDocumentFetcher.FetchException.class, () -> fetcher.fetch(url)));

        assertEquals(MetadataDocumentFetcher.TIME_LIMIT, e.getMessage());
    }

    /** A header line dripped byte by byte (no newline for a long time) ends at the deadline too. */
    @Test
    void deadlineHoldsAgainstADrippingHeader() throws Exception {
        int port = rawServer(socket -> {
            socket.getInputStream().read(new byte[4096]);
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 600; i++) {
                Thread.sleep(100);
                out.write('a');
                out.flush();
            }
        });
        MetadataDocumentFetcher fetcher = loopbackFetcher(60_000, 1000, TO_LOOPBACK);
        ClientIdUrl url = ClientIdUrl.parse("http://docs.example:" + port + "/client.json", true);

        MetadataDocumentFetcher.FetchException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> assertThrows(MetadataDocumentFetcher.FetchException.class, () -> fetcher.fetch(url)));

        assertEquals(MetadataDocumentFetcher.TIME_LIMIT, e.getMessage());
    }

    // --- the checked address is the one connected to ---------------------------------------------------------------

    /**
     * The name is resolved once: a resolver that would answer 10.0.0.1 the second time (DNS rebinding) is asked once,
     * and the request reaches the checked loopback address with the name in the Host header.
     */
    @Test
    void connectsToTheCheckedAddressWithoutASecondLookup() throws Exception {
        List<String> requestLines = new java.util.concurrent.CopyOnWriteArrayList<>();
        int port = rawServer(socket -> {
            byte[] buffer = new byte[4096];
            int n = socket.getInputStream().read(buffer);
            requestLines.add(new String(buffer, 0, Math.max(0, n), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        });
        AtomicInteger lookups = new AtomicInteger();
        MetadataDocumentFetcher.Resolver rebinding = host -> {
            byte[] address = lookups.incrementAndGet() == 1 ? new byte[] {127, 0, 0, 1} : new byte[] {10, 0, 0, 1};
            return new InetAddress[] {InetAddress.getByAddress(host, address)};
        };
        MetadataDocumentFetcher fetcher = loopbackFetcher(2000, 5000, rebinding);

        MetadataDocumentFetcher.Fetched fetched = fetcher.fetch(ClientIdUrl.parse("http://docs.example:" + port + "/c-1.json", true));

        assertEquals("{}", new String(fetched.body(), StandardCharsets.US_ASCII));
        assertEquals(1, lookups.get());
        assertEquals(1, hits.get());
        assertTrue(requestLines.get(0).startsWith("GET /c-1.json HTTP/1.1\r\nHost: docs.example:" + port + "\r\n"),
                requestLines.get(0));
    }

    /** Hosts resolving to special-use addresses are refused before any socket is made. */
    @ParameterizedTest
    @ValueSource(strings = {"169.254.169.254", "10.0.0.1", "::ffff:0:a00:1", "64:ff9b::a9fe:a9fe", "2002:a00:1::1",
            "2001::1", "fd00::1", "100.64.0.1", "192.0.0.170"})
    void refusesSpecialUseAddressesWithoutAnySocket(String literal) throws Exception {
        byte[] address = InetAddress.getByName(literal).getAddress();
        AtomicInteger sockets = new AtomicInteger();
        javax.net.SocketFactory counting = new javax.net.SocketFactory() {
            @Override
            public Socket createSocket() {
                sockets.incrementAndGet();
                throw new AssertionError("a socket was made");
            }

            @Override
            public Socket createSocket(String host, int port) {
                return createSocket();
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
                return createSocket();
            }

            @Override
            public Socket createSocket(InetAddress host, int port) {
                return createSocket();
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
                return createSocket();
            }
        };
        MetadataDocumentFetcher fetcher = new MetadataDocumentFetcher(new MetadataDocumentFetcher.Settings(1000, 1000, 1000, 5120,
                List.of()), (SSLSocketFactory) SSLSocketFactory.getDefault(),
                host -> new InetAddress[] {InetAddress.getByAddress(host, address)}, counting);

        MetadataDocumentFetcher.FetchException e = assertThrows(MetadataDocumentFetcher.FetchException.class,
                () -> fetcher.fetch(ClientIdUrl.parse("https://docs.example/client.json", false)));

        assertTrue(e.getMessage().contains("special-use address"), e.getMessage());
        assertFalse(e.remember());
        assertEquals(0, sockets.get());
    }

    @Test
    void cacheControlParsing() {
        assertEquals(60, MetadataDocumentFetcher.cacheInfo(new byte[0], "max-age=300, s-maxage=60").maxAgeSeconds());
        assertEquals(-1, MetadataDocumentFetcher.cacheInfo(new byte[0], null).maxAgeSeconds());
        assertTrue(MetadataDocumentFetcher.cacheInfo(new byte[0], "no-cache").noStore());
    }
}
