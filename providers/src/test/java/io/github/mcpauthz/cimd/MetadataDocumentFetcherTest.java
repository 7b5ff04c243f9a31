package io.github.mcpauthz.cimd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLSocketFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
        return new MetadataDocumentFetcher(new MetadataDocumentFetcher.Settings(1000, 500, 5120, allowed),
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
                new MetadataDocumentFetcher.Settings(1000, 500, 5120, List.of()), (SSLSocketFactory) SSLSocketFactory.getDefault(),
                host -> new InetAddress[] {InetAddress.getByName("93.184.215.14"), InetAddress.getByName("169.254.169.254")});
        MetadataDocumentFetcher.FetchException e = assertThrows(MetadataDocumentFetcher.FetchException.class,
                () -> mixed.fetch(ClientIdUrl.parse("https://rebind.example/client.json", false)));
        assertTrue(e.getMessage().contains("169.254.169.254"), e.getMessage());
    }

    @Test
    void cacheControlParsing() {
        assertEquals(60, MetadataDocumentFetcher.cacheInfo(new byte[0], "max-age=300, s-maxage=60").maxAgeSeconds());
        assertEquals(-1, MetadataDocumentFetcher.cacheInfo(new byte[0], null).maxAgeSeconds());
        assertTrue(MetadataDocumentFetcher.cacheInfo(new byte[0], "no-cache").noStore());
    }
}
