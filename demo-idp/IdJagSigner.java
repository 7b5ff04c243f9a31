import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * DEMO ONLY: the ID-JAG issuing step of the demo enterprise IdP (realm {@code enterprise}, file
 * {@code realm-exports/enterprise-realm.json}). Keycloak issues no ID-JAG ({@code typ oauth-id-jag+jwt}) without its
 * experimental features, so this program stands in for the IdP: it signs an ID-JAG with the enterprise realm's own
 * signing key, read from the realm file (the {@code rsa} key provider, a key published in this repository, never to be
 * used anywhere else). The sample realm {@code mcp} trusts that key through its identity provider
 * {@code enterprise-idp}. Needs only a JDK 17 (no dependencies):
 *
 * <pre>
 *   java demo-idp/IdJagSigner.java --id-token "$ID_TOKEN" --client-id demo-agent
 *   java demo-idp/IdJagSigner.java --sub 5c3f0a1e-8d2b-4f6a-9e71-2b4d6c8a0f13 --client-id demo-agent --scope "mcp:tools mcp:resources"
 *   java demo-idp/IdJagSigner.java --jwks          # the public key, as the mcp realm's identity provider stores it
 * </pre>
 *
 * Prints the ID-JAG (a compact JWS) on standard output; errors go to standard error with exit status 2.
 */
public final class IdJagSigner {

    static final String USAGE = """
            Usage: java demo-idp/IdJagSigner.java (--id-token JWT | --sub SUBJECT) [options]
                   java demo-idp/IdJagSigner.java --jwks

            Signs an ID-JAG (header typ oauth-id-jag+jwt, RS256) with the demo enterprise IdP's key, as the IdP would
            issue it to the client after the user's single sign-on. DEMO ONLY: the key is public in this repository.

              --id-token JWT    an ID token of the enterprise realm (its signature, by the same key, and exp are
                                checked); the ID-JAG's sub is its sub
              --sub SUBJECT     the user's subject at the enterprise IdP (instead of --id-token)
              --client-id ID    client_id claim: the client at the MCP realm that will redeem it (default demo-agent)
              --resource URI    resource claim: the MCP server (default http://localhost:3001/mcp)
              --scope SCOPES    scope claim, space-separated (default mcp:tools)
              --audience URI    aud claim: the MCP realm's issuer (default http://localhost:8080/realms/mcp)
              --issuer URI      iss claim: the IdP's issuer as the MCP realm trusts it
                                (default http://localhost:8080/realms/enterprise)
              --ttl SECONDS     lifetime, exp - iat (default 300, the most Keycloak accepts by default)
              --realm-file PATH the enterprise realm file with the key (default realm-exports/enterprise-realm.json)
              --jwks            print the public key as a JWKS and exit
            """;

    public static void main(String[] args) {
        try {
            System.out.println(run(args));
        } catch (IllegalArgumentException e) {
            System.err.println("IdJagSigner: " + e.getMessage());
            System.exit(2);
        }
    }

    static String run(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("--client-id", "demo-agent");
        options.put("--resource", "http://localhost:3001/mcp");
        options.put("--scope", "mcp:tools");
        options.put("--audience", "http://localhost:8080/realms/mcp");
        options.put("--issuer", "http://localhost:8080/realms/enterprise");
        options.put("--ttl", "300");
        options.put("--realm-file", "realm-exports/enterprise-realm.json");
        boolean jwks = false;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (name.equals("--jwks")) {
                jwks = true;
            } else if (name.equals("-h") || name.equals("--help")) {
                return USAGE;
            } else if (name.startsWith("--") && (options.containsKey(name) || name.equals("--id-token") || name.equals("--sub"))) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(name + " needs a value\n" + USAGE);
                }
                options.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument: " + name + "\n" + USAGE);
            }
        }

        DemoKey key = DemoKey.read(Path.of(options.get("--realm-file")));
        if (jwks) {
            return key.jwks();
        }
        String subject;
        if (options.containsKey("--id-token") == options.containsKey("--sub")) {
            throw new IllegalArgumentException("give exactly one of --id-token and --sub\n" + USAGE);
        } else if (options.containsKey("--id-token")) {
            subject = key.verifiedSubject(options.get("--id-token"));
        } else {
            subject = options.get("--sub");
        }
        long ttl;
        try {
            ttl = Long.parseLong(options.get("--ttl"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--ttl must be a number of seconds");
        }
        long now = System.currentTimeMillis() / 1000;
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", options.get("--issuer"));
        claims.put("sub", subject);
        claims.put("aud", options.get("--audience"));
        claims.put("client_id", options.get("--client-id"));
        claims.put("resource", options.get("--resource"));
        claims.put("scope", options.get("--scope"));
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("iat", now);
        claims.put("exp", now + ttl);
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("typ", "oauth-id-jag+jwt");
        header.put("alg", "RS256");
        header.put("kid", key.kid);
        return key.sign(header, claims);
    }

    /** The RSA key of the enterprise realm's {@code rsa} key provider, and its kid. */
    record DemoKey(String kid, PrivateKey privateKey, PublicKey publicKey, BigInteger modulus, BigInteger exponent) {

        @SuppressWarnings("unchecked")
        static DemoKey read(Path realmFile) {
            Object realm;
            try {
                realm = new JsonReader(Files.readString(realmFile)).value();
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot read " + realmFile + " (run from the repository root, or "
                        + "give --realm-file): " + e);
            }
            Object providers = get(get(realm, "components"), "org.keycloak.keys.KeyProvider");
            if (providers instanceof List<?> list) {
                for (Object provider : list) {
                    if ("rsa".equals(get(provider, "providerId"))) {
                        Map<String, Object> config = (Map<String, Object>) get(provider, "config");
                        String pem = first(config.get("privateKey"));
                        String kid = first(config.get("kid"));
                        return of(kid, pem, realmFile);
                    }
                }
            }
            throw new IllegalArgumentException(realmFile + " has no key provider of type rsa");
        }

        private static DemoKey of(String kid, String pem, Path realmFile) {
            if (kid == null || pem == null) {
                throw new IllegalArgumentException("the rsa key provider in " + realmFile + " needs privateKey and kid");
            }
            try {
                byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
                KeyFactory factory = KeyFactory.getInstance("RSA");
                RSAPrivateCrtKey privateKey = (RSAPrivateCrtKey) factory.generatePrivate(new PKCS8EncodedKeySpec(der));
                PublicKey publicKey = factory.generatePublic(new RSAPublicKeySpec(privateKey.getModulus(),
                        privateKey.getPublicExponent()));
                return new DemoKey(kid, privateKey, publicKey, privateKey.getModulus(), privateKey.getPublicExponent());
            } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
                throw new IllegalArgumentException("the privateKey in " + realmFile + " is not a PKCS#8 RSA key: " + e);
            }
        }

        String jwks() {
            return "{\"keys\":[{\"kty\":\"RSA\",\"kid\":" + quote(kid) + ",\"use\":\"sig\",\"alg\":\"RS256\",\"n\":"
                    + quote(base64Url(unsigned(modulus))) + ",\"e\":" + quote(base64Url(unsigned(exponent))) + "}]}";
        }

        String sign(Map<String, Object> header, Map<String, Object> claims) {
            String input = base64Url(write(header).getBytes(StandardCharsets.UTF_8)) + "."
                    + base64Url(write(claims).getBytes(StandardCharsets.UTF_8));
            try {
                Signature signature = Signature.getInstance("SHA256withRSA");
                signature.initSign(privateKey);
                signature.update(input.getBytes(StandardCharsets.US_ASCII));
                return input + "." + base64Url(signature.sign());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The sub of an ID token this key signed (RS256, this kid) that has not expired. */
        String verifiedSubject(String idToken) {
            String[] parts = idToken.trim().split("\\.");
            if (parts.length != 3) {
                throw new IllegalArgumentException("--id-token is not a compact JWS (three parts)");
            }
            Object header = new JsonReader(decode(parts[0])).value();
            Object claims = new JsonReader(decode(parts[1])).value();
            if (!"RS256".equals(get(header, "alg")) || !kid.equals(get(header, "kid"))) {
                throw new IllegalArgumentException("the ID token is not signed with the demo key (alg " + get(header, "alg")
                        + ", kid " + get(header, "kid") + "; expected RS256, " + kid + ")");
            }
            try {
                Signature signature = Signature.getInstance("SHA256withRSA");
                signature.initVerify(publicKey);
                signature.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
                if (!signature.verify(Base64.getUrlDecoder().decode(parts[2]))) {
                    throw new IllegalArgumentException("the ID token's signature does not verify with the demo key");
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("the ID token's signature does not verify: " + e);
            }
            Object exp = get(claims, "exp");
            if (!(exp instanceof Number number) || number.longValue() <= System.currentTimeMillis() / 1000) {
                throw new IllegalArgumentException("the ID token has expired (exp " + exp + ")");
            }
            Object sub = get(claims, "sub");
            if (!(sub instanceof String subject) || subject.isEmpty()) {
                throw new IllegalArgumentException("the ID token has no sub");
            }
            return subject;
        }
    }

    // ---- a little JSON, enough for a realm file, a JWT and the claims ----

    static Object get(Object object, String name) {
        return object instanceof Map<?, ?> map ? map.get(name) : null;
    }

    static String first(Object value) {
        if (value instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof String s) {
            return s;
        }
        return value instanceof String s ? s : null;
    }

    static String decode(String base64Url) {
        try {
            return new String(Base64.getUrlDecoder().decode(base64Url), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--id-token is not base64url");
        }
    }

    static String write(Map<String, Object> object) {
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<String, Object> entry : object.entrySet()) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(quote(entry.getKey())).append(':');
            Object value = entry.getValue();
            out.append(value instanceof Number ? value.toString() : quote(String.valueOf(value)));
        }
        return out.append('}').toString();
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            byte[] trimmed = new byte[bytes.length - 1];
            System.arraycopy(bytes, 1, trimmed, 0, trimmed.length);
            return trimmed;
        }
        return bytes;
    }

    /** Objects as LinkedHashMap, arrays as ArrayList, numbers as Long or Double. */
    static final class JsonReader {
        private final String text;
        private int pos;

        JsonReader(String text) {
            this.text = text;
        }

        Object value() {
            Object value = next();
            skipSpace();
            if (pos != text.length()) {
                throw error("trailing characters");
            }
            return value;
        }

        private Object next() {
            skipSpace();
            if (pos >= text.length()) {
                throw error("unexpected end");
            }
            char c = text.charAt(pos);
            if (c == '{') {
                pos++;
                Map<String, Object> map = new LinkedHashMap<>();
                skipSpace();
                if (peek('}')) {
                    return map;
                }
                do {
                    skipSpace();
                    String key = string();
                    skipSpace();
                    expect(':');
                    map.put(key, next());
                    skipSpace();
                } while (peek(','));
                expect('}');
                return map;
            }
            if (c == '[') {
                pos++;
                List<Object> list = new ArrayList<>();
                skipSpace();
                if (peek(']')) {
                    return list;
                }
                do {
                    list.add(next());
                    skipSpace();
                } while (peek(','));
                expect(']');
                return list;
            }
            if (c == '"') {
                return string();
            }
            for (String literal : new String[] {"true", "false", "null"}) {
                if (text.startsWith(literal, pos)) {
                    pos += literal.length();
                    return literal.equals("null") ? null : Boolean.valueOf(literal);
                }
            }
            int start = pos;
            while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
            String number = text.substring(start, pos);
            try {
                return number.matches("-?\\d+") ? (Object) Long.valueOf(number) : (Object) Double.valueOf(number);
            } catch (NumberFormatException e) {
                throw error("invalid value");
            }
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (pos < text.length()) {
                char c = text.charAt(pos++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (pos >= text.length()) {
                    break;
                }
                char e = text.charAt(pos++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        if (pos + 4 > text.length()) {
                            throw error("bad \\u escape");
                        }
                        out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> out.append(e);
                }
            }
            throw error("unterminated string");
        }

        private boolean peek(char c) {
            if (pos < text.length() && text.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw error("expected '" + c + "'");
            }
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("invalid JSON at character " + pos + ": " + what);
        }
    }
}
