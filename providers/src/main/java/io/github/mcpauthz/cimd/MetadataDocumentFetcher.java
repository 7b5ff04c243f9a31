package io.github.mcpauthz.cimd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import javax.net.SocketFactory;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Fetches a client ID metadata document without SSRF exposure: the host is resolved once, every address it resolves
 * to is checked against the special-use ranges (unless an admin allowed a range), and the connection goes to the
 * checked address (no second lookup; TLS still verifies the certificate for the host name). HTTP 200 only, no
 * redirects followed, a size cap, and one absolute deadline over connect, TLS handshake, headers and body: every
 * read waits at most until the deadline, and a watchdog closes the socket when it passes, so a server that sends one
 * byte at a time (also during the handshake) cannot hold the calling thread longer.
 */
public final class MetadataDocumentFetcher {

    static final String TIME_LIMIT = "the metadata document server did not answer within the time limit";

    /** Name resolution, replaceable in tests. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /**
     * @param connectTimeoutMillis at most this long for the TCP connection (and never past the deadline)
     * @param readTimeoutMillis    at most this long for any one read (and never past the deadline)
     * @param deadlineMillis       the whole fetch, from the connection attempt to the last byte
     */
    public record Settings(int connectTimeoutMillis, int readTimeoutMillis, int deadlineMillis, int maxBytes,
                           List<SpecialUseAddresses.Range> allowedRanges) {
    }

    /** A fetched document and the cache lifetime its response allows (-1 when the response says nothing). */
    public record Fetched(byte[] body, long maxAgeSeconds, boolean noStore) {
    }

    /**
     * Why a document could not be fetched; the message is safe to show to users and admins. {@code remember} is false
     * for refusals decided before any network traffic (special-use address), which depend on the realm's settings
     * and cost nothing to repeat.
     */
    public static class FetchException extends Exception {
        private final boolean remember;

        public FetchException(String message) {
            this(message, true);
        }

        public FetchException(String message, boolean remember) {
            super(message, null, false, false);
            this.remember = remember;
        }

        public boolean remember() {
            return remember;
        }
    }

    private final Settings settings;
    private final SSLSocketFactory sslSocketFactory;
    private final Resolver resolver;
    private final SocketFactory socketFactory;

    public MetadataDocumentFetcher(Settings settings, SSLSocketFactory sslSocketFactory, Resolver resolver) {
        this(settings, sslSocketFactory, resolver, SocketFactory.getDefault());
    }

    MetadataDocumentFetcher(Settings settings, SSLSocketFactory sslSocketFactory, Resolver resolver, SocketFactory socketFactory) {
        this.settings = settings;
        this.sslSocketFactory = sslSocketFactory;
        this.resolver = resolver;
        this.socketFactory = socketFactory;
    }

    public Fetched fetch(ClientIdUrl url) throws FetchException {
        String path = url.uri().getRawPath();
        if (!isPrintableAscii(path) || !isPrintableAscii(url.uri().getRawAuthority())) {
            throw new FetchException("the client_id URL must be ASCII", false);
        }
        InetAddress target = checkedAddress(url.host());
        long deadline = System.nanoTime() + Math.max(1, settings.deadlineMillis()) * 1_000_000L;
        boolean https = "https".equals(url.uri().getScheme());
        Socket plain;
        try {
            plain = socketFactory.createSocket();
        } catch (IOException e) {
            throw new FetchException("could not fetch the metadata document from " + url.host() + ": " + e.getMessage());
        }
        ScheduledFuture<?> watchdog = Watchdog.closeAt(plain, deadline);
        try (plain) {
            plain.connect(new InetSocketAddress(target, url.port()), timeout(settings.connectTimeoutMillis(), deadline));
            plain.setSoTimeout(timeout(settings.readTimeoutMillis(), deadline));
            Socket socket = plain;
            if (https) {
                SSLSocket tls = (SSLSocket) sslSocketFactory.createSocket(plain, url.host(), url.port(), true);
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                if (!url.host().startsWith("[") && !Character.isDigit(url.host().charAt(url.host().length() - 1))) {
                    parameters.setServerNames(List.of(sniHostName(url.host())));
                }
                tls.setSSLParameters(parameters);
                tls.startHandshake();
                socket = tls;
            }
            checkDeadline(deadline);
            return exchange(socket, url, path, deadline);
        } catch (IOException e) {
            if (System.nanoTime() - deadline >= 0 || e instanceof SocketTimeoutException) {
                throw new FetchException(TIME_LIMIT);
            }
            if (e instanceof javax.net.ssl.SSLException) {
                throw new FetchException("TLS connection to " + url.host() + " failed: " + e.getMessage());
            }
            throw new FetchException("could not fetch the metadata document from " + url.host() + ": " + e.getMessage());
        } finally {
            watchdog.cancel(false);
        }
    }

    private static SNIHostName sniHostName(String host) throws FetchException {
        try {
            return new SNIHostName(host);
        } catch (IllegalArgumentException e) {
            throw new FetchException("the host " + host + " of the client_id is not a valid DNS name", false);
        }
    }

    private static boolean isPrintableAscii(String s) {
        if (s == null) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) <= 0x20 || s.charAt(i) >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** {@code limitMillis}, cut to what is left until the deadline; at least 1 ms (0 would mean "no timeout"). */
    static int timeout(int limitMillis, long deadline) throws SocketTimeoutException {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        long limit = limitMillis > 0 ? Math.min(limitMillis, left) : left;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, limit));
    }

    /** Closes sockets whose deadline passed; one daemon thread for the whole server. */
    static final class Watchdog {
        private static final ScheduledThreadPoolExecutor EXECUTOR = create();

        private static ScheduledThreadPoolExecutor create() {
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
                Thread thread = new Thread(runnable, "mcp-cimd-fetch-deadline");
                thread.setDaemon(true);
                return thread;
            });
            executor.setRemoveOnCancelPolicy(true);
            return executor;
        }

        static ScheduledFuture<?> closeAt(Socket socket, long deadline) {
            return EXECUTOR.schedule(() -> {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // Closing is all we want; the fetching thread reports the deadline.
                }
            }, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }

        private Watchdog() {
        }
    }

    /** Resolves the host once and refuses it if any address is special-use and not allowed. */
    InetAddress checkedAddress(String host) throws FetchException {
        String lookup = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(lookup);
        } catch (UnknownHostException e) {
            throw new FetchException("the host " + host + " of the client_id does not resolve");
        }
        if (addresses == null || addresses.length == 0) {
            throw new FetchException("the host " + host + " of the client_id does not resolve");
        }
        for (InetAddress address : addresses) {
            if (SpecialUseAddresses.isSpecialUse(address) && !SpecialUseAddresses.isAllowed(address, settings.allowedRanges())) {
                throw new FetchException("the host " + host + " of the client_id resolves to a special-use address ("
                        + address.getHostAddress() + "); metadata documents are only fetched from public addresses", false);
            }
        }
        return addresses[0];
    }

    private Fetched exchange(Socket socket, ClientIdUrl url, String path, long deadline) throws IOException, FetchException {
        String hostHeader = url.uri().getRawAuthority();
        String request = "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + hostHeader + "\r\n"
                + "Accept: application/json\r\n"
                + "User-Agent: keycloak-mcp-authz\r\n"
                + "Connection: close\r\n\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = new DeadlineInputStream(socket, settings.readTimeoutMillis(), deadline);
        String statusLine = readLine(in, deadline);
        String[] status = statusLine.split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/1.")) {
            throw new FetchException("the metadata document server sent an invalid HTTP response");
        }
        int code;
        try {
            code = Integer.parseInt(status[1]);
        } catch (NumberFormatException e) {
            throw new FetchException("the metadata document server sent an invalid HTTP status");
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < 100; i++) {
            String line = readLine(in, deadline);
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.merge(line.substring(0, colon).strip(), line.substring(colon + 1).strip(), (a, b) -> a + ", " + b);
            }
        }
        if (code >= 300 && code < 400) {
            throw new FetchException("the metadata document URL answered a redirect (HTTP " + code + "), which is not followed");
        }
        if (code != 200) {
            throw new FetchException("the metadata document URL answered HTTP " + code + " instead of 200");
        }
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.getOrDefault("Transfer-Encoding", ""))) {
            body = readChunked(in, deadline);
        } else {
            String length = headers.get("Content-Length");
            if (length != null) {
                long declared;
                try {
                    declared = Long.parseLong(length.strip());
                } catch (NumberFormatException e) {
                    throw new FetchException("the metadata document server sent an invalid Content-Length");
                }
                if (declared > settings.maxBytes()) {
                    throw tooLarge();
                }
            }
            body = readCapped(in, deadline);
        }
        return cacheInfo(body, headers.get("Cache-Control"));
    }

    static Fetched cacheInfo(byte[] body, String cacheControl) {
        long maxAge = -1;
        boolean noStore = false;
        if (cacheControl != null) {
            for (String directive : cacheControl.toLowerCase(Locale.ROOT).split(",")) {
                String d = directive.strip();
                if (d.equals("no-store") || d.equals("no-cache")) {
                    noStore = true;
                } else if (d.startsWith("max-age=") || d.startsWith("s-maxage=")) {
                    try {
                        long v = Long.parseLong(d.substring(d.indexOf('=') + 1).replace("\"", "").strip());
                        maxAge = maxAge < 0 ? v : Math.min(maxAge, v);
                    } catch (NumberFormatException ignored) {
                        // A malformed max-age says nothing.
                    }
                }
            }
        }
        return new Fetched(body, maxAge, noStore);
    }

    private FetchException tooLarge() {
        return new FetchException("the metadata document is larger than " + settings.maxBytes() + " bytes");
    }

    private byte[] readCapped(InputStream in, long deadline) throws IOException, FetchException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[1024];
        int n;
        while ((n = in.read(buffer)) != -1) {
            checkDeadline(deadline);
            out.write(buffer, 0, n);
            if (out.size() > settings.maxBytes()) {
                throw tooLarge();
            }
        }
        return out.toByteArray();
    }

    private byte[] readChunked(InputStream in, long deadline) throws IOException, FetchException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in, deadline);
            int semicolon = sizeLine.indexOf(';');
            int size;
            try {
                size = Integer.parseInt((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).strip(), 16);
            } catch (NumberFormatException e) {
                throw new FetchException("the metadata document server sent an invalid chunked body");
            }
            if (size == 0) {
                return out.toByteArray();
            }
            if (size < 0 || out.size() + (long) size > settings.maxBytes()) {
                throw tooLarge();
            }
            byte[] chunk = in.readNBytes(size);
            checkDeadline(deadline);
            if (chunk.length != size) {
                throw new FetchException("the metadata document server closed the connection early");
            }
            out.write(chunk);
            readLine(in, deadline);
        }
    }

    private static String readLine(InputStream in, long deadline) throws IOException, FetchException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                sb.append((char) c);
            }
            if (sb.length() > 8192) {
                throw new FetchException("the metadata document server sent an overlong header line");
            }
        }
        checkDeadline(deadline);
        if (c == -1 && sb.length() == 0) {
            throw new FetchException("the metadata document server closed the connection without an answer");
        }
        return sb.toString();
    }

    private static void checkDeadline(long deadline) throws FetchException {
        if (System.nanoTime() - deadline > 0) {
            throw new FetchException(TIME_LIMIT);
        }
    }

    /** Before each read, sets the socket's read timeout to what is left until the deadline (at most the read timeout). */
    private static final class DeadlineInputStream extends java.io.FilterInputStream {
        private final Socket socket;
        private final int readTimeoutMillis;
        private final long deadline;

        DeadlineInputStream(Socket socket, int readTimeoutMillis, long deadline) throws IOException {
            super(new java.io.BufferedInputStream(socket.getInputStream(), 1024));
            this.socket = socket;
            this.readTimeoutMillis = readTimeoutMillis;
            this.deadline = deadline;
        }

        private void arm() throws IOException {
            socket.setSoTimeout(timeout(readTimeoutMillis, deadline));
        }

        @Override
        public int read() throws IOException {
            arm();
            return super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            arm();
            return super.read(b, off, len);
        }
    }
}
