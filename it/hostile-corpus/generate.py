#!/usr/bin/env python3
"""Writes the hostile-input corpus (it/src/test/resources/hostile-corpus/*.json).

The JSON files are what HostileInputCorpusIT runs and what a reviewer reads; this script only spells out the
variants (each scheme, each address spelling, each *_alg field ...) so they stay consistent. Edit a list here and
re-run it (python3 it/hostile-corpus/generate.py), or edit the JSON directly for a one-off case.
Placeholders are expanded by the runner; see it/README.md ("Hostile-input corpus").
"""
import json
import os
import re

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "hostile-corpus")

BAD_META = "invalid_client_metadata"
BAD_REDIRECT = "invalid_redirect_uri"


def refuse(status=400, error=None, alternatives=None, via=None, statuses=None, drop_allowed=False):
    e = {"outcome": "refuse", "status": status}
    if drop_allowed:
        e["dropAllowed"] = True
    if error is not None:
        e["error"] = error
    if alternatives:
        e["errors"] = alternatives
    if statuses:
        e["statuses"] = statuses
    if via is not None:
        e["via"] = via
    return e


ACCEPT = {"outcome": "accept"}
ANY = {"outcome": "any"}

cases = {a: [] for a in ["dcr", "dcr-update", "cimd-url", "cimd-document", "authorization", "token"]}


def slug(text):
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:60]


def add(area, cid, item, why, request, expect):
    cases[area].append({"id": area + "-" + cid, "area": area, "item": item, "why": why,
                        "request": request, "expect": expect})


# ---------------------------------------------------------------------------------------------------------------
# shared hostile values
# ---------------------------------------------------------------------------------------------------------------

# Loopback spellings of the canary listeners (127.0.0.1:${canaryPort}, 127.0.0.2:${canary2Port},
# [::1]:${canary6Port}). A server must never connect to any of them on a client's behalf.
# Left out on purpose: spellings that a resolver could read as an address off this machine (octal 0177.0.0.1 is
# 177.0.0.1 to a decimal parser; ::ffff:0:0/96 and ::/96 addresses route to the network). Those ranges are covered
# by unit tests with a fake resolver, never by live traffic.
LOOPBACK_SPELLINGS = [
    ("v4", "127.0.0.1:${canaryPort}"),
    ("localhost", "localhost:${canaryPort}"),
    ("localhost-trailing-dot", "localhost.:${canaryPort}"),
    ("localhost-upper", "LOCALHOST:${canaryPort}"),
    ("short-127-1", "127.1:${canaryPort}"),
    ("short-127-0-1", "127.0.1:${canaryPort}"),
    ("hex", "0x7f000001:${canaryPort}"),
    ("hex-dotted", "0x7f.0.0.1:${canaryPort}"),
    ("decimal", "2130706433:${canaryPort}"),
    ("this-host", "0.0.0.0:${canaryPort}"),
    ("zero", "0:${canaryPort}"),
    ("v4-mapped", "[::ffff:127.0.0.1]:${canaryPort}"),
    ("v4-mapped-hex", "[::ffff:7f00:1]:${canaryPort}"),
    ("v4-mapped-long", "[0:0:0:0:0:ffff:127.0.0.1]:${canaryPort}"),
    ("second-loopback", "127.0.0.2:${canary2Port}"),
    ("v6-loopback", "[::1]:${canary6Port}"),
    ("v6-loopback-long", "[0:0:0:0:0:0:0:1]:${canary6Port}"),
    ("v6-unspecified", "[::]:${canary6Port}"),
]
# the subset used for every URL field (the full list runs for CIMD client ids)
FIELD_SPELLINGS = ["v4", "localhost-trailing-dot", "decimal", "v4-mapped", "second-loopback", "v6-loopback"]
SPELLING = dict(LOOPBACK_SPELLINGS)

# Schemes that make the operating system start a program (issue 12 item 7).
OS_SCHEMES = ["ms-msdt", "search-ms", "search", "ms-officecmd", "ms-settings", "microsoft-edge",
              "microsoft-edge-holographic", "jnlp", "jnlps", "itms-services", "itms-apps", "shell", "x-javascript",
              "livescript", "vbscript", "ms-word", "ms-excel", "ms-powerpoint", "ms-access", "ms-appinstaller",
              "ms-cxh", "ms-cxh-full", "ms-its", "mk", "hcp", "help", "res", "ms-calculator",
              "x-apple-systempreferences", "ms-screenclip"]

ALG_FIELDS = ["id_token_signed_response_alg", "userinfo_signed_response_alg", "request_object_signing_alg",
              "token_endpoint_auth_signing_alg", "authorization_signed_response_alg",
              "introspection_signed_response_alg", "backchannel_authentication_request_signing_alg",
              "id_token_encrypted_response_alg", "userinfo_encrypted_response_alg",
              "request_object_encryption_alg", "authorization_encrypted_response_alg"]

# Redirect URIs that must be refused, with the issue-12 item they belong to.
BAD_REDIRECTS = [
    ("port-99999", "12", "https://app.mcp-corpus.invalid:99999/cb"),
    ("port-0", "12", "https://app.mcp-corpus.invalid:0/cb"),
    ("port-65536", "12", "https://app.mcp-corpus.invalid:65536/cb"),
    ("loopback-port-99999", "12", "http://127.0.0.1:99999/callback"),
    ("loopback-port-0", "12", "http://127.0.0.1:0/callback"),
    ("zone-id-https", "12", "https://[fe80::1%25eth0]/cb"),
    ("zone-id-loopback", "12", "http://[::1%25lo]/callback"),
    ("link-local-v6", "12", "https://[fe80::1]/cb"),
    ("link-local-v6-upper", "12", "https://[FE80::abcd]/cb"),
    ("dot-segment", "12", "https://app.mcp-corpus.invalid/a/../cb"),
    ("dot-segment-single", "12", "https://app.mcp-corpus.invalid/./cb"),
    ("dot-segment-encoded", "12", "https://app.mcp-corpus.invalid/a/%2e%2e/cb"),
    ("dot-segment-loopback", "12", "http://127.0.0.1/a/../callback"),
    ("javascript", "generic", "javascript:alert(document.domain)"),
    ("javascript-mixed-case", "generic", "JaVaScRiPt:alert(1)"),
    ("data", "generic", "data:text/html,<script>alert(1)</script>"),
    ("file", "generic", "file:///etc/passwd"),
    ("public-http", "generic", "http://app.mcp-corpus.invalid/cb"),
    ("wildcard", "generic", "https://*.mcp-corpus.invalid/cb"),
    ("fragment", "generic", "https://app.mcp-corpus.invalid/cb#x"),
    ("user-info", "generic", "https://user:pw@app.mcp-corpus.invalid/cb"),
    ("relative", "generic", "/cb"),
    ("scheme-relative", "generic", "//app.mcp-corpus.invalid/cb"),
    ("no-host", "generic", "https:///cb"),
    ("crlf-raw", "generic", "https://app.mcp-corpus.invalid/cb\r\nSet-Cookie: x=1"),
    ("tab", "generic", "https://app.mcp-corpus.invalid/c\tb"),
    ("backslash", "generic", "https://app.mcp-corpus.invalid\\@evil.mcp-corpus.invalid/cb"),
    ("unicode-host", "generic", "https://\u0430pp.mcp-corpus.invalid/cb"),
    ("bidi-in-uri", "generic", "https://app.mcp-corpus.invalid/\u202ecb"),
    ("oversized", "generic", "https://app.mcp-corpus.invalid/${repeat:a:2100}"),
    ("empty", "generic", ""),
]

INVISIBLE_NAMES = [
    ("zero-width-space", "\u200b\u200b\u200b"),
    ("zero-width-mix", "\u200b\u200c\u200d\ufeff"),
    ("word-joiner", "\u2060\u2060"),
    ("soft-hyphen", "\u00ad\u00ad"),
    ("hangul-filler", "\u3164"),
    ("hangul-choseong-filler", "\u115f\u1160"),
    ("mongolian-vowel-separator", "\u180e"),
    ("combining-marks-only", "\u0301\u0301\u0301"),
    ("ideographic-space", "\u3000\u3000"),
    ("no-break-space", "\u00a0\u00a0"),
    ("invisible-separator", "\u2063\u2062"),
    ("variation-selectors", "\ufe0f\ufe0e"),
    ("tag-characters", "\U000e0041\U000e0042"),
]
NAME_ABUSES = [
    ("bidi-override", "generic", "Good \u202eevil\u202c app"),
    ("bidi-isolate", "generic", "\u2066Claude\u2069"),
    ("bell-control", "generic", "Claude\u0007"),
    ("nul", "generic", "Claude\u0000Desktop"),
    ("newline", "generic", "Claude\nAllow all"),
    ("line-separator", "generic", "Claude\u2028Allow"),
    ("oversized", "generic", "${repeat:A:201}"),
    ("huge", "generic", "${repeat:A:100000}"),
    ("blank", "generic", "   "),
]

# ---------------------------------------------------------------------------------------------------------------
# dcr: POST clients-registrations/openid-connect (anonymous)
# base "native": SDK public client, redirect http://127.0.0.1:33418/callback
# base "web": confidential web client, redirect https://app.mcp-corpus.invalid/cb, client_secret_basic
# ---------------------------------------------------------------------------------------------------------------


def dcr(cid, item, why, expect, base="native", set=None, remove=None, probe=None, raw=None, content_type=None):
    request = {"base": base}
    if raw is not None:
        request = {"raw": raw}
        if content_type:
            request["contentType"] = content_type
    if set:
        request["set"] = set
    if remove:
        request["remove"] = remove
    if probe:
        request["probe"] = probe
    add("dcr", cid, item, why, request, expect)


# controls: valid registrations still work
dcr("control-sdk-native", "control", "TypeScript SDK body with a loopback redirect", ACCEPT)
dcr("control-web-https", "control", "confidential web client with an https redirect", ACCEPT, base="web")
dcr("control-reverse-dns-scheme", "control", "RFC 8252 §7.1 reverse-DNS private-use scheme", ACCEPT,
    set={"redirect_uris": ["com.example.mcpclient:/oauth/callback"], "application_type": "native"})
dcr("control-cursor-scheme", "control", "Cursor's registered redirect scheme (allow-list)", ACCEPT,
    set={"redirect_uris": ["cursor://anysphere.cursor-retrieval/oauth/user-abc/callback"],
         "application_type": "native"})
dcr("control-v6-loopback", "control", "[::1] loopback redirect", ACCEPT,
    set={"redirect_uris": ["http://[::1]:33418/callback"]})
dcr("control-private-key-jwt-inline-jwks", "control", "private_key_jwt with inline jwks", ACCEPT, base="web",
    set={"token_endpoint_auth_method": "private_key_jwt", "jwks": "${jwks}"})
dcr("control-html-name", "control", "a name with markup is stored as text (escaped when shown)", ACCEPT,
    set={"client_name": "<img src=x onerror=alert(1)> MCP"})
dcr("control-unicode-name", "control", "a non-Latin name is fine", ACCEPT,
    set={"client_name": "\u30af\u30ed\u30fc\u30c9 \U0001d4dc\U0001d4d2\U0001d4df"})
dcr("control-logo-canary", "control",
    "logo_uri is shown by the user's browser, never fetched by Keycloak: accepted or refused, never connected",
    ANY, set={"logo_uri": "https://127.0.0.1:${canaryPort}/logo.png"})
dcr("control-frontchannel-canary", "control", "frontchannel_logout_uri is loaded by the browser only", ANY,
    set={"frontchannel_logout_uri": "https://127.0.0.1:${canaryPort}/fc"})
dcr("control-initiate-login-canary", "control", "initiate_login_uri is a browser target only", ANY,
    set={"initiate_login_uri": "https://127.0.0.1:${canaryPort}/login"})

# item 1: URL fields that make Keycloak connect
for sp in FIELD_SPELLINGS:
    host = SPELLING[sp]
    dcr("request-uris-" + sp, "1", "request_uris: Keycloak fetches a request_uri before login",
        refuse(400, BAD_META), set={"request_uris": ["https://" + host + "/req/" + sp]},
        probe="request_uri")
    dcr("sector-identifier-" + sp, "1", "sector_identifier_uri is fetched during registration",
        refuse(400, BAD_META), set={"subject_type": "pairwise",
                                    "sector_identifier_uri": "https://" + host + "/sector/" + sp})
    dcr("backchannel-logout-" + sp, "1", "backchannel_logout_uri gets a POST on logout",
        refuse(400, BAD_META), set={"backchannel_logout_uri": "https://" + host + "/bcl/" + sp})
    dcr("jwks-uri-" + sp, "1", "jwks_uri is fetched at client authentication (inline jwks required)",
        refuse(400, BAD_META), base="web",
        set={"token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "https://" + host + "/jwks/" + sp},
        probe="client_assertion")
dcr("request-uris-wildcard", "1", "a wildcard request_uris entry is one reusable fetch gadget",
    refuse(400, BAD_META), set={"request_uris": ["https://127.0.0.1:${canaryPort}/*"]}, probe="request_uri")
dcr("request-uris-unresolvable", "1", "request_uris on any host", refuse(400, BAD_META),
    set={"request_uris": ["https://req.mcp-corpus.invalid/r"]})
dcr("request-uris-string", "1", "request_uris of the wrong type", refuse(400, BAD_META),
    set={"request_uris": "https://127.0.0.1:${canaryPort}/r"})
dcr("sector-identifier-unresolvable", "1", "sector_identifier_uri: error texts must not tell whether a host answered",
    refuse(400, BAD_META), set={"subject_type": "pairwise",
                                "sector_identifier_uri": "https://sector.mcp-corpus.invalid/s.json"})
dcr("sector-identifier-without-pairwise", "1", "sector_identifier_uri alone", refuse(400, BAD_META),
    set={"sector_identifier_uri": "https://127.0.0.1:${canaryPort}/sector-alone"})
dcr("subject-type-pairwise", "1", "subject_type pairwise (needs a sector identifier fetch)", refuse(400, BAD_META),
    set={"subject_type": "pairwise"})
dcr("backchannel-logout-unresolvable", "1", "backchannel_logout_uri on any host", refuse(400, BAD_META),
    set={"backchannel_logout_uri": "https://bcl.mcp-corpus.invalid/logout",
         "backchannel_logout_session_required": True})
dcr("jwks-uri-unresolvable-private-key-jwt", "1", "jwks_uri even on a public-looking host", refuse(400, BAD_META),
    base="web", set={"token_endpoint_auth_method": "private_key_jwt",
                     "jwks_uri": "https://keys.mcp-corpus.invalid/jwks.json"})
dcr("ciba-notification-endpoint", "1", "CIBA ping endpoint would be POSTed to by Keycloak",
    refuse(400, BAD_META), set={"backchannel_token_delivery_mode": "ping",
                                "backchannel_client_notification_endpoint": "https://127.0.0.1:${canaryPort}/ciba"})

# item 12: jwks_uri on a client that does not use private_key_jwt
for method in ["none", "client_secret_basic", "client_secret_post"]:
    dcr("jwks-uri-with-" + method, "12", "jwks_uri on a client that does not use private_key_jwt",
        refuse(400, BAD_META), base="web" if method != "none" else "native",
        set={"token_endpoint_auth_method": method, "jwks_uri": "https://keys.mcp-corpus.invalid/" + method})

# item 7: OS-handler schemes
for scheme in OS_SCHEMES:
    dcr("scheme-" + scheme, "7", "scheme starts a program of the operating system", refuse(400, BAD_REDIRECT),
        set={"redirect_uris": [scheme + ":/callback"], "application_type": "native"})
for scheme in ["ms-msdt", "search-ms", "jnlp", "shell", "itms-services", "microsoft-edge"]:
    dcr("scheme-authority-form-" + scheme, "7", "OS-handler scheme in authority form",
        refuse(400, BAD_REDIRECT),
        set={"redirect_uris": [scheme + "://mcp-corpus.invalid/callback"], "application_type": "native"})
for scheme in ["MS-MSDT", "Search-Ms"]:
    dcr("scheme-case-" + slug(scheme), "7", "OS-handler scheme in another letter case", refuse(400, BAD_REDIRECT),
        set={"redirect_uris": [scheme + ":/callback"], "application_type": "native"})
dcr("scheme-single-word-unknown", "7", "single-word scheme not on the admin allow-list", refuse(400, BAD_REDIRECT),
    set={"redirect_uris": ["myapp:/callback"], "application_type": "native"})
dcr("scheme-os-next-to-valid", "7", "one bad scheme among good redirects", refuse(400, BAD_REDIRECT),
    set={"redirect_uris": ["http://127.0.0.1/callback", "ms-msdt:/callback"], "application_type": "native"})

# item 12 + generic: redirect URIs
for name, item, uri in BAD_REDIRECTS:
    base = "native" if uri.startswith("http://127.") or uri.startswith("http://[") else "web"
    dcr("redirect-" + name, item, "redirect URI: " + name, refuse(400, BAD_REDIRECT), base=base,
        set={"redirect_uris": [uri]})
dcr("post-logout-javascript", "generic", "post_logout_redirect_uris with javascript:", refuse(400, BAD_REDIRECT),
    set={"post_logout_redirect_uris": ["javascript:alert(1)"]})
dcr("post-logout-os-scheme", "7", "post_logout_redirect_uris with an OS-handler scheme", refuse(400, BAD_REDIRECT),
    set={"post_logout_redirect_uris": ["ms-msdt:/x"]})
dcr("post-logout-port-99999", "12", "post_logout_redirect_uris with an invalid port", refuse(400, BAD_REDIRECT),
    set={"post_logout_redirect_uris": ["http://127.0.0.1:99999/bye"]})
dcr("redirect-uris-many", "generic", "more redirect URIs than allowed", refuse(400, BAD_REDIRECT),
    set={"redirect_uris": ["http://127.0.0.1/cb%d" % i for i in range(60)]})
TYPE_REDIRECT = refuse(400, BAD_REDIRECT, alternatives=[BAD_META])
dcr("redirect-uris-string", "generic", "redirect_uris as a string", TYPE_REDIRECT,
    set={"redirect_uris": "http://127.0.0.1/callback"})
dcr("redirect-uris-object", "generic", "redirect_uris as an object", TYPE_REDIRECT,
    set={"redirect_uris": {"uri": "http://127.0.0.1/callback"}})
dcr("redirect-uris-nested", "generic", "redirect_uris with a nested array", TYPE_REDIRECT,
    set={"redirect_uris": [["http://127.0.0.1/callback"]]})
dcr("redirect-uris-null-element", "generic", "redirect_uris with null", refuse(400, BAD_REDIRECT),
    set={"redirect_uris": [None]})
dcr("redirect-uris-number", "generic", "redirect_uris with a number", refuse(400, BAD_REDIRECT),
    set={"redirect_uris": [42]})
dcr("redirect-uris-empty", "generic", "no redirect URI", refuse(400, BAD_REDIRECT), set={"redirect_uris": []})
dcr("redirect-uris-missing", "generic", "redirect_uris missing", refuse(400, BAD_REDIRECT), remove=["redirect_uris"])

# item 12: client_name that renders as nothing
for name, value in INVISIBLE_NAMES:
    dcr("name-invisible-" + name, "12", "client_name renders as nothing", refuse(400, BAD_META),
        set={"client_name": value})
for name, item, value in NAME_ABUSES:
    dcr("name-" + name, item, "client_name abuse: " + name, refuse(400, BAD_META), set={"client_name": value})
for name, value in [("number", 42), ("array", ["a"]), ("object", {"en": "a"}), ("bool", True)]:
    dcr("name-type-" + name, "generic", "client_name of the wrong type", refuse(400, BAD_META),
        set={"client_name": value})

# item 12: *_alg = none
for field in ALG_FIELDS:
    dcr("alg-none-" + field.replace("_", "-"), "12", field + " = none", refuse(400, BAD_META),
        set={field: "none"})
dcr("alg-none-upper", "12", "id_token_signed_response_alg = NONE", refuse(400, BAD_META),
    set={"id_token_signed_response_alg": "NONE"})
dcr("alg-none-mixed", "12", "request_object_signing_alg = None", refuse(400, BAD_META),
    set={"request_object_signing_alg": "None"})

# item 4: grant scopes in a client's scope
dcr("scope-grant-scope", "4", "mcp-server:* in scope: refused (or dropped; see runner)",
    refuse(400, BAD_META, alternatives=["invalid_scope"], drop_allowed=True),
    set={"scope": "files:read mcp-server:${serverId}"})
dcr("scope-grant-scope-prefix-only", "4", "a made-up mcp-server: scope", refuse(400, BAD_META,
    alternatives=["invalid_scope"], drop_allowed=True), set={"scope": "mcp-server:anything"})

# generic: grants, types, auth methods, secrets
for grant in ["implicit", "password", "client_credentials", "urn:ietf:params:oauth:grant-type:device_code",
              "urn:openid:params:grant-type:ciba", "urn:ietf:params:oauth:grant-type:token-exchange",
              "urn:ietf:params:oauth:grant-type:jwt-bearer", "urn:ietf:params:oauth:grant-type:saml2-bearer"]:
    dcr("grant-" + slug(grant.split(":")[-1]), "10" if grant.startswith("urn") else "generic",
        "grant type " + grant, refuse(400, BAD_META),
        set={"grant_types": ["authorization_code", "refresh_token", grant]})
for rt in ["token", "id_token", "code token", "code id_token", "none"]:
    dcr("response-type-" + slug(rt), "generic", "response type " + rt, refuse(400, BAD_META),
        set={"response_types": [rt]})
for method in ["client_secret_jwt", "tls_client_auth", "self_signed_tls_client_auth", "NONE", ""]:
    dcr("auth-method-" + (slug(method) or "empty"), "generic", "token_endpoint_auth_method " + repr(method),
        refuse(400, BAD_META), base="web", set={"token_endpoint_auth_method": method})
dcr("client-secret-chosen", "generic", "client-chosen secret", refuse(400, BAD_META),
    base="web", set={"client_secret": "hunter2hunter2hunter2"})
dcr("private-key-jwt-no-keys", "generic", "private_key_jwt without keys", refuse(400, BAD_META), base="web",
    set={"token_endpoint_auth_method": "private_key_jwt"})
dcr("jwks-and-jwks-uri", "1", "jwks and jwks_uri together", refuse(400, BAD_META), base="web",
    set={"token_endpoint_auth_method": "private_key_jwt", "jwks": "${jwks}",
         "jwks_uri": "https://127.0.0.1:${canaryPort}/both"})
dcr("jwks-string", "8", "jwks as a string", refuse(400, BAD_META), base="web",
    set={"token_endpoint_auth_method": "private_key_jwt", "jwks": "not a key set"})
dcr("jwks-keys-string", "8", "jwks.keys as a string", refuse(400, BAD_META), base="web",
    set={"token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": "x"}})
dcr("jwks-key-garbage", "8", "a key without parameters", refuse(400, BAD_META), base="web",
    set={"token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [{"kty": "RSA", "n": "!!", "e": "??"}]}})
dcr("jwks-empty-keys", "8", "an empty key set", refuse(400, BAD_META), base="web",
    set={"token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": []}})
dcr("application-type-bogus", "generic", "application_type desktop", refuse(400, BAD_META),
    set={"application_type": "desktop"})
dcr("application-type-web-loopback", "generic", "web app with a loopback redirect", refuse(400, BAD_REDIRECT),
    set={"application_type": "web"})
dcr("resource-unknown", "generic", "resource that is not a registered server", refuse(400, BAD_META,
    alternatives=["invalid_target"]), set={"resource": "https://127.0.0.1:${canaryPort}/mcp"})
dcr("resource-wrong-type", "generic", "resource as an object", refuse(400, BAD_META,
    alternatives=["invalid_target"]), set={"resource": {"uri": "${server}"}})
for field, value in [("grant_types", "authorization_code"), ("response_types", 7),
                     ("token_endpoint_auth_method", ["none"]), ("scope", ["files:read"]),
                     ("software_id", 12), ("software_version", {"v": 1}), ("logo_uri", 5),
                     ("jwks_uri", ["https://127.0.0.1:${canaryPort}/j"]), ("client_uri", True)]:
    dcr("type-" + field.replace("_", "-"), "generic", field + " of the wrong type", refuse(400, BAD_META),
        set={field: value})
for field in ["client_uri", "logo_uri", "tos_uri", "policy_uri"]:
    dcr(field.replace("_", "-") + "-javascript", "generic", field + " javascript:", refuse(400, BAD_META),
        set={field: "javascript:alert(1)"})
dcr("scope-invalid-char", "generic", "scope with a quote", refuse(400, BAD_META),
    set={"scope": "files:read evil\"scope"})
dcr("scope-huge", "generic", "100k characters of scope", refuse(400, BAD_META),
    set={"scope": "${repeatWords:s:20000}"})
dcr("software-id-oversized", "generic", "software_id over the limit", refuse(400, BAD_META),
    set={"software_id": "${repeat:x:201}"})
dcr("software-version-control", "generic", "software_version with control characters", refuse(400, BAD_META),
    set={"software_version": "1.0\u001b[31m"})
dcr("client-id-chosen-admin-cli", "generic", "a chosen client_id must not take over another client", ANY,
    set={"client_id": "admin-cli"})
dcr("client-id-chosen-console", "generic", "a chosen client_id must not take over another client", ANY,
    set={"client_id": "security-admin-console"})
dcr("software-statement-garbage", "generic", "an unverifiable software_statement", ANY,
    set={"software_statement": "eyJhbGciOiJub25lIn0.eyJyZWRpcmVjdF91cmlzIjpbImphdmFzY3JpcHQ6MSJdfQ."})
dcr("unknown-nested-object", "generic", "an unknown field with deep nesting", ANY,
    set={"x_extension": {"a": {"b": {"c": {"d": [1, 2, {"e": None}]}}}}})
dcr("null-fields", "generic", "every optional field null", ANY,
    set={"client_name": None, "scope": None, "logo_uri": None, "jwks": None, "software_id": None})
dcr("tls-bound-tokens-wrong-type", "generic", "boolean field as a string", ANY,
    set={"tls_client_certificate_bound_access_tokens": "yes"})

# raw bodies
dcr("raw-array", "generic", "a JSON array", refuse(400, BAD_META), raw="[]")
dcr("raw-string", "generic", "a JSON string", refuse(400, BAD_META), raw="\"client\"")
dcr("raw-null", "generic", "JSON null", refuse(400, BAD_META), raw="null")
dcr("raw-truncated", "generic", "truncated JSON", refuse(400, BAD_META), raw="{\"client_name\": \"x\", ")
dcr("raw-empty", "generic", "empty body", refuse(400, BAD_META), raw="")
dcr("raw-deep-nesting", "generic", "5000 nested arrays", refuse(400, BAD_META),
    raw="{\"redirect_uris\": ${repeat:[:5000}${repeat:]:5000}}")
dcr("raw-duplicate-keys", "generic", "duplicate keys: which redirect_uris wins must not matter", ANY,
    raw="{\"redirect_uris\": [\"http://127.0.0.1/callback\"], \"token_endpoint_auth_method\": \"none\","
        " \"redirect_uris\": [\"ms-msdt:/x\"]}")
dcr("raw-invalid-utf8-escape", "generic", "a lone surrogate escape", ANY,
    raw="{\"redirect_uris\": [\"http://127.0.0.1/callback\"], \"token_endpoint_auth_method\": \"none\","
        " \"client_name\": \"\\ud800\"}")
dcr("raw-text-plain", "generic", "JSON sent as text/plain (415 from JAX-RS is right too)",
    refuse(415, None, statuses=[400]),
    raw="{\"redirect_uris\": [\"http://127.0.0.1/callback\"], \"token_endpoint_auth_method\": \"none\"}",
    content_type="text/plain")
dcr("raw-form-encoded", "generic", "a form body", refuse(415, None, statuses=[400]),
    raw="redirect_uris=http%3A%2F%2F127.0.0.1%2Fcallback", content_type="application/x-www-form-urlencoded")

# ---------------------------------------------------------------------------------------------------------------
# dcr-update: RFC 7592 PUT on a freshly registered native client (body = its metadata + client_id, then set/remove)
# ---------------------------------------------------------------------------------------------------------------


def upd(cid, item, why, expect, set=None, remove=None, base="native", auth=None):
    request = {"base": base}
    if set:
        request["set"] = set
    if remove:
        request["remove"] = remove
    if auth:
        request["auth"] = auth
    add("dcr-update", cid, item, why, request, expect)


upd("control-rename", "control", "a valid update", ACCEPT, set={"client_name": "Renamed client"})
upd("control-new-loopback-path", "control", "a valid redirect change", ACCEPT,
    set={"redirect_uris": ["http://127.0.0.1:5555/callback2"]})
for sp in ["v4", "decimal", "v6-loopback", "localhost-trailing-dot"]:
    upd("request-uris-" + sp, "1", "request_uris added by update", refuse(400, BAD_META),
        set={"request_uris": ["https://" + SPELLING[sp] + "/u-req"]})
    upd("backchannel-logout-" + sp, "1", "backchannel_logout_uri added by update", refuse(400, BAD_META),
        set={"backchannel_logout_uri": "https://" + SPELLING[sp] + "/u-bcl"})
for sp in ["v4", "second-loopback"]:
    upd("sector-identifier-" + sp, "1", "pairwise sector_identifier_uri added by update", refuse(400, BAD_META),
        set={"subject_type": "pairwise", "sector_identifier_uri": "https://" + SPELLING[sp] + "/u-sector"})
    upd("jwks-uri-" + sp, "1", "switch to private_key_jwt with jwks_uri", refuse(400, BAD_META), base="web",
        set={"token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "https://" + SPELLING[sp] + "/u-jwks"})
upd("jwks-uri-without-private-key-jwt", "12", "jwks_uri on a public client", refuse(400, BAD_META),
    set={"jwks_uri": "https://keys.mcp-corpus.invalid/u"})
for scheme in ["ms-msdt", "search-ms", "ms-officecmd", "jnlp", "itms-services", "x-javascript", "livescript",
               "shell"]:
    upd("scheme-" + scheme, "7", "OS-handler scheme by update", refuse(400, BAD_REDIRECT),
        set={"redirect_uris": [scheme + ":/callback"], "application_type": "native"})
for name, item, uri in BAD_REDIRECTS[:13]:
    base = "native" if uri.startswith("http://127.") or uri.startswith("http://[") else "web"
    upd("redirect-" + name, item, "redirect URI by update: " + name, refuse(400, BAD_REDIRECT), base=base,
        set={"redirect_uris": [uri]})
for name, value in INVISIBLE_NAMES[:4]:
    upd("name-invisible-" + name, "12", "invisible client_name by update", refuse(400, BAD_META),
        set={"client_name": value})
upd("name-bidi", "generic", "bidi override by update", refuse(400, BAD_META),
    set={"client_name": "Good \u202eevil"})
for field in ALG_FIELDS[:5]:
    upd("alg-none-" + field.replace("_", "-"), "12", field + " = none by update", refuse(400, BAD_META),
        set={field: "none"})
upd("grant-implicit", "generic", "implicit grant by update", refuse(400, BAD_META),
    set={"grant_types": ["authorization_code", "implicit"]})
upd("grant-device", "10", "device grant by update", refuse(400, BAD_META),
    set={"grant_types": ["authorization_code", "urn:ietf:params:oauth:grant-type:device_code"]})
upd("auth-method-client-secret-jwt", "generic", "client_secret_jwt by update", refuse(400, BAD_META),
    set={"token_endpoint_auth_method": "client_secret_jwt"})
upd("client-secret-chosen", "generic", "a chosen secret by update", refuse(400, BAD_META), base="web",
    set={"client_secret": "hunter2hunter2hunter2"})
upd("scope-grant-scope", "4", "mcp-server:* in scope by update", refuse(400, BAD_META,
    alternatives=["invalid_scope"], drop_allowed=True), set={"scope": "mcp-server:${serverId}"})
upd("redirect-uris-removed", "generic", "redirect_uris removed by update", refuse(400, BAD_REDIRECT),
    remove=["redirect_uris"])
upd("type-redirect-uris-string", "generic", "redirect_uris as a string", TYPE_REDIRECT,
    set={"redirect_uris": "http://127.0.0.1/cb"})
upd("client-id-other", "generic", "body names another client", refuse(400, BAD_META,
    alternatives=["invalid_request", "invalid_client", "invalid_token"], statuses=[400, 401, 403]),
    set={"client_id": "admin-cli"})
upd("no-token", "generic", "no registration access token", refuse(401, None, statuses=[401, 403]),
    auth="none", set={"client_name": "No token"})
upd("wrong-token", "generic", "a made-up registration access token", refuse(401, None, statuses=[401, 403]),
    auth="garbage", set={"client_name": "Wrong token"})

# ---------------------------------------------------------------------------------------------------------------
# cimd-url: authorization request whose client_id is the URL; realm "ssrf" (no address allowance),
# "loopback" (127.0.0.0/8 allowed, documents on the local document server) or "deny" (loopback allowed,
# denied-domains localhost). Expected refusal: HTTP 400 error page, no redirect, no client, no connection.
# ---------------------------------------------------------------------------------------------------------------

PAGE = refuse(400, None, via="page")


def curl(cid, item, why, client_id, realm="ssrf", expect=PAGE, serve=None):
    request = {"realm": realm, "clientId": client_id}
    if serve:
        request["serve"] = serve
    add("cimd-url", cid, item, why, request, expect)


for sp, host in LOOPBACK_SPELLINGS:
    curl("ssrf-" + sp, "9" if "mapped" in sp or "translated" in sp or "compatible" in sp else "1",
         "special-use address spelled " + sp, "https://" + host + "/client.json")
curl("ssrf-zone-id", "12", "IPv6 zone id", "https://[::1%25lo]:${canary6Port}/client.json")
curl("ssrf-userinfo-confusion", "generic", "user info naming another host",
     "https://mcp-corpus.invalid@127.0.0.1:${canaryPort}/client.json")
curl("loopback-fragment", "generic", "fragment", "https://127.0.0.1:${canaryPort}/client.json#x", realm="loopback")
curl("loopback-query", "generic", "query", "https://127.0.0.1:${canaryPort}/client.json?a=b", realm="loopback")
curl("loopback-dot-segment", "12", "dot segments", "https://127.0.0.1:${canaryPort}/a/../client.json",
     realm="loopback")
curl("loopback-dot-segment-encoded", "12", "encoded dot segments",
     "https://127.0.0.1:${canaryPort}/a/%2e%2e/client.json", realm="loopback")
curl("loopback-single-dot", "12", "single dot segment", "https://127.0.0.1:${canaryPort}/./client.json",
     realm="loopback")
curl("loopback-userinfo", "generic", "user info", "https://u:p@127.0.0.1:${canaryPort}/client.json",
     realm="loopback")
curl("loopback-http", "generic", "http without allow-http", "http://127.0.0.1:${canaryPort}/client.json",
     realm="loopback")
curl("loopback-no-path", "generic", "no path", "https://127.0.0.1:${canaryPort}", realm="loopback")
curl("loopback-root-path", "generic", "root path only", "https://127.0.0.1:${canaryPort}/", realm="loopback")
curl("loopback-port-99999", "12", "invalid port", "https://127.0.0.1:99999/client.json", realm="loopback")
curl("loopback-port-0", "12", "port 0", "https://127.0.0.1:0/client.json", realm="loopback")
curl("loopback-crlf", "generic", "encoded CRLF in the path: refused, or fetched as that path (never a header)",
     "https://localhost:${docPort}/${fresh}/client.json%0d%0aX-Injected:%201", realm="loopback", expect=ANY,
     serve=[{"path": "/${fresh}/client.json%0d%0aX-Injected:%201", "document": "minimal"}])
curl("loopback-backslash", "generic", "backslash authority confusion",
     "https://127.0.0.1:${canaryPort}\\@mcp-corpus.invalid/client.json", realm="loopback")
curl("loopback-oversized", "generic", "3000-character URL",
     "https://127.0.0.1:${canaryPort}/${repeat:a:3000}.json", realm="loopback")
curl("loopback-v6-not-covered", "1", "127.0.0.0/8 allowance does not cover [::1]",
     "https://[::1]:${canary6Port}/client.json", realm="loopback")
curl("trailing-dot-doc-server", "8", "trailing-dot host on a host that serves a valid document (500 today)",
     "https://localhost.:${docPort}/${fresh}/client.json", realm="loopback",
     serve=[{"path": "/${fresh}/client.json", "document": "minimal"}])
curl("non-ascii-path", "8", "non-ASCII path: the fetched path must be the client_id's",
     "https://localhost:${docPort}/${fresh}/\u00e9.json", realm="loopback",
     serve=[{"path": "/${fresh}/", "document": "minimal"}])
curl("unresolvable-host", "generic", "a host that cannot resolve", "https://client.mcp-corpus.invalid/c.json",
     realm="loopback")
curl("unicode-host", "generic", "IDN host", "https://\u0441lient.mcp-corpus.invalid/c.json", realm="loopback")
curl("not-quite-url-no-host", "generic", "https: without a host", "https:///client.json", realm="loopback")
curl("not-quite-url-opaque", "generic", "https: opaque", "https:client.json", realm="loopback")
for sp in ["localhost-trailing-dot", "localhost-upper", "localhost"]:
    curl("denied-" + sp, "8", "denied-domains must match " + sp, "https://" + SPELLING[sp] + "/client.json",
         realm="deny")
curl("denied-double-trailing-dot", "8", "two trailing dots", "https://localhost..:${canaryPort}/client.json",
     realm="deny")
add("cimd-url", "control-valid-url", "control", "a valid document URL on the local document server",
    {"realm": "loopback", "clientId": "https://localhost:${docPort}/${fresh}/client.json",
     "serve": [{"path": "/${fresh}/client.json", "document": "minimal"}]}, ACCEPT)

# ---------------------------------------------------------------------------------------------------------------
# cimd-document: realm "loopback"; the document server serves the document at a fresh path; ${clientId} is its URL.
# base "minimal": client_id, client_name, redirect_uris [http://127.0.0.1/callback], code + refresh, none.
# ---------------------------------------------------------------------------------------------------------------


def cdoc(cid, item, why, expect=PAGE, set=None, remove=None, raw=None, status=None, headers=None, drip=None,
         base="minimal"):
    request = {"base": base}
    if raw is not None:
        request = {"raw": raw}
    if set:
        request["set"] = set
    if remove:
        request["remove"] = remove
    if status:
        request["status"] = status
    if headers:
        request["headers"] = headers
    if drip:
        request["drip"] = drip
    add("cimd-document", cid, item, why, request, expect)


cdoc("control-minimal", "control", "the smallest valid document", ACCEPT)
cdoc("control-vscode-like", "control", "a document shaped like VS Code's", ACCEPT,
     set={"client_name": "Visual Studio Code", "client_uri": "https://code.mcp-corpus.invalid",
          "redirect_uris": ["http://127.0.0.1/callback", "https://vscode.mcp-corpus.invalid/redirect"]})
for sp in ["v4", "decimal", "v6-loopback"]:
    cdoc("request-uris-" + sp, "1", "request_uris in a document", set={"request_uris": [
        "https://" + SPELLING[sp] + "/doc-req"]})
    cdoc("backchannel-logout-" + sp, "1", "backchannel_logout_uri in a document",
         set={"backchannel_logout_uri": "https://" + SPELLING[sp] + "/doc-bcl"})
    cdoc("jwks-uri-" + sp, "1", "jwks_uri in a document (inline jwks only)",
         set={"token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "https://" + SPELLING[sp] + "/doc-jwks"})
cdoc("sector-identifier", "1", "pairwise sector_identifier_uri in a document",
     set={"subject_type": "pairwise", "sector_identifier_uri": "https://127.0.0.1:${canaryPort}/doc-sector"})
cdoc("jwks-uri-public-client", "12", "jwks_uri on a client that does not use private_key_jwt",
     set={"jwks_uri": "https://127.0.0.1:${canaryPort}/doc-jwks-none"})
cdoc("jwks-malformed-keys-string", "8", "malformed jwks (500 today)",
     set={"token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": "x"}})
cdoc("jwks-malformed-key", "8", "a key that does not parse",
     set={"token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [{"kty": "RSA", "n": "!!", "e": "?"}]}})
cdoc("jwks-string", "8", "jwks as a string", set={"token_endpoint_auth_method": "private_key_jwt", "jwks": "x"})
cdoc("jwks-unknown-kty", "8", "jwks with an unknown key type",
     set={"token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": [{"kty": "XYZ"}]}})
for method in ["client_secret_basic", "client_secret_post", "client_secret_jwt"]:
    cdoc("auth-method-" + slug(method), "generic", "shared-secret auth in a document",
         set={"token_endpoint_auth_method": method})
cdoc("client-secret", "generic", "client_secret in a document", set={"client_secret": "s3cr3t"})
cdoc("client-id-mismatch", "generic", "client_id names another URL",
     set={"client_id": "https://localhost:${docPort}/other.json"})
cdoc("client-id-case", "generic", "client_id differs in letter case", set={"client_id": "${clientIdUpper}"})
cdoc("client-id-trailing-slash", "generic", "client_id with a trailing slash", set={"client_id": "${clientId}/"})
cdoc("client-id-missing", "generic", "no client_id", remove=["client_id"])
cdoc("client-id-number", "generic", "client_id of the wrong type", set={"client_id": 1})
for scheme in ["ms-msdt", "search-ms", "jnlp", "itms-services", "x-javascript"]:
    cdoc("scheme-" + scheme, "7", "OS-handler redirect in a document",
         set={"redirect_uris": [scheme + ":/callback"]})
for name, item, uri in [r for r in BAD_REDIRECTS if r[0] in (
        "port-99999", "loopback-port-0", "zone-id-loopback", "link-local-v6", "dot-segment", "dot-segment-loopback",
        "javascript", "data", "wildcard", "public-http", "fragment")]:
    cdoc("redirect-" + name, item, "redirect URI in a document: " + name,
         set={"redirect_uris": ["http://127.0.0.1/callback", uri]})
for name, value in INVISIBLE_NAMES[:5]:
    cdoc("name-invisible-" + name, "12", "invisible client_name in a document", set={"client_name": value})
for name, item, value in NAME_ABUSES[:6]:
    cdoc("name-" + name, item, "client_name abuse in a document: " + name, set={"client_name": value})
cdoc("name-number", "generic", "client_name of the wrong type", set={"client_name": 5})
for field in ALG_FIELDS[:5]:
    cdoc("alg-none-" + field.replace("_", "-"), "12", field + " = none in a document", set={field: "none"})
cdoc("scope-grant-scope", "4", "mcp-server:* in a document's scope",
     expect=refuse(400, None, via="page", drop_allowed=True), set={"scope": "mcp-server:${serverId}"})
cdoc("redirect-uris-string", "generic", "redirect_uris as a string", set={"redirect_uris": "http://127.0.0.1/cb"})
cdoc("redirect-uris-nested", "generic", "redirect_uris nested", set={"redirect_uris": [["http://127.0.0.1/cb"]]})
cdoc("raw-array", "generic", "a JSON array", raw="[]")
cdoc("raw-null", "generic", "JSON null", raw="null")
cdoc("raw-not-json", "generic", "HTML instead of JSON", raw="<html><body>hello</body></html>")
cdoc("raw-deep-nesting", "generic", "5000 nested arrays",
     raw="{\"client_id\": \"${clientId}\", \"x\": ${repeat:[:5000}${repeat:]:5000}}")
cdoc("raw-bom", "generic", "UTF-8 byte order mark before the JSON", ANY,
     raw="\ufeff{\"client_id\": \"${clientId}\", \"client_name\": \"BOM\", \"redirect_uris\": "
         "[\"http://127.0.0.1/callback\"], \"token_endpoint_auth_method\": \"none\"}")
cdoc("raw-duplicate-client-id", "generic", "duplicate client_id keys", ANY,
     raw="{\"client_id\": \"https://localhost:${docPort}/evil.json\", \"client_id\": \"${clientId}\", "
         "\"redirect_uris\": [\"http://127.0.0.1/callback\"], \"token_endpoint_auth_method\": \"none\"}")
cdoc("status-500", "generic", "the host answers 500", status=500)
cdoc("status-204", "generic", "the host answers 204 without a body", status=204, raw="")
cdoc("drip-handshake", "2", "the host drips its TLS handshake (one byte a second)", drip="handshake")
cdoc("drip-headers", "2", "the host drips the status line and headers", drip="headers")
cdoc("drip-body", "2", "the host drips the body", drip="body")

# ---------------------------------------------------------------------------------------------------------------
# authorization: GET the authorization endpoint (no cookies, redirects not followed).
# client "loopback": dynamic public client, redirect http://127.0.0.1:<port>/callback (error redirect with iss)
# client "web": dynamic confidential client, redirect https://app.mcp-corpus.invalid/cb, never consented
#               (issue 12 item 6: errors on Keycloak's page, never a redirect)
# Base request: response_type=code, client_id, redirect_uri, PKCE S256, state, resource=${server}, scope.
# ---------------------------------------------------------------------------------------------------------------


def authz(cid, item, why, client, expect, set=None, add_=None, remove=None):
    request = {"client": client}
    if set:
        request["set"] = set
    if add_:
        request["add"] = add_
    if remove:
        request["remove"] = remove
    add("authorization", cid, item, why, request, expect)


def both(cid, item, why, error, set=None, add_=None, remove=None, alternatives=None):
    authz(cid + "-loopback", item, why + " (loopback client: error redirect with iss)", "loopback",
          refuse(302, error, alternatives=alternatives, via="redirect"), set, add_, remove)
    authz(cid + "-web", "6", why + " (https client never consented: error page, no redirect)", "web",
          refuse(400, None, via="page"), set, add_, remove)


authz("control-loopback", "control", "valid request, loopback client", "loopback", ACCEPT)
authz("control-web", "control", "valid request, https client", "web", ACCEPT)
authz("control-loopback-other-port", "control", "loopback redirect on another port", "loopback", ACCEPT,
      set={"redirect_uri": "http://127.0.0.1:${randomPort}/callback"})
both("resource-unknown", "6", "unknown resource", "invalid_target",
     set={"resource": "https://unknown.mcp-corpus.invalid/mcp"})
both("resource-canary", "6", "resource naming a loopback listener", "invalid_target",
     set={"resource": "https://127.0.0.1:${canaryPort}/mcp"})
both("resource-relative", "6", "relative resource", "invalid_target", set={"resource": "/mcp"})
both("resource-fragment", "6", "resource with a fragment", "invalid_target", set={"resource": "${server}#frag"})
both("resource-repeated", "6", "two resources", "invalid_target", add_={"resource": "${otherServer}"})
both("resource-crlf", "6", "resource with CRLF", "invalid_target", set={"resource": "${server}\r\nX: 1"})
both("no-pkce", "6", "no code_challenge", "invalid_request", remove=["code_challenge", "code_challenge_method"])
both("pkce-plain", "6", "code_challenge_method plain", "invalid_request",
     set={"code_challenge_method": "plain", "code_challenge": "${repeat:a:43}"})
both("pkce-bogus-method", "6", "code_challenge_method S512", "invalid_request", set={"code_challenge_method": "S512"})
both("prompt-none", "6", "prompt=none without a session", "login_required", set={"prompt": "none"})
both("response-type-token", "6", "response_type token", "unsupported_response_type",
     set={"response_type": "token"}, alternatives=["unauthorized_client", "invalid_request"])
both("response-type-garbage", "6", "response_type garbage", "unsupported_response_type",
     set={"response_type": "c0de"}, alternatives=["invalid_request"])
both("response-type-code-id-token", "6", "hybrid response_type", "unsupported_response_type",
     set={"response_type": "code id_token"}, alternatives=["unauthorized_client", "invalid_request"])
EITHER = "redirect-or-page"
authz("request-uri-canary-loopback", "1", "request_uri at a loopback listener: refused, never fetched (error "
      "redirect with iss or error page)", "loopback", refuse(302, "invalid_request_uri", alternatives=[
          "invalid_request"], statuses=[400], via=EITHER),
      set={"request_uri": "https://127.0.0.1:${canaryPort}/authz-req.jwt"})
authz("request-uri-canary-web", "6", "request_uri at a loopback listener, https client: page", "web",
      refuse(400, None, via="page"), set={"request_uri": "https://127.0.0.1:${canaryPort}/authz-req-web.jwt"})
authz("request-object-garbage-loopback", "generic", "request object that is not a JWT", "loopback",
      refuse(302, "invalid_request_object", alternatives=["invalid_request"], statuses=[400], via=EITHER),
      set={"request": "not.a.jwt"})
authz("request-object-garbage-web", "6", "request object that is not a JWT, https client: page", "web",
      refuse(400, None, via="page"), set={"request": "not.a.jwt"})
ALG_NONE_REQUEST = "eyJhbGciOiJub25lIn0.eyJyZXNvdXJjZSI6Imh0dHBzOi8vdW5rbm93bi5tY3AtY29ycHVzLmludmFsaWQvbWNwIn0."
authz("request-object-alg-none-loopback", "generic", "unsigned request object naming an unknown resource: "
      "refused either for the object or for its resource", "loopback",
      refuse(302, "invalid_request_object", alternatives=["invalid_request", "invalid_target"], statuses=[400],
             via=EITHER), set={"request": ALG_NONE_REQUEST})
authz("request-object-alg-none-web", "6", "unsigned request object, https client: page", "web",
      refuse(400, None, via="page"), set={"request": ALG_NONE_REQUEST})
both("response-mode-garbage", "generic", "response_mode garbage", "invalid_request",
     set={"response_mode": "telepathy"}, alternatives=["unsupported_response_mode"])
both("duplicate-state", "generic", "state twice", "invalid_request", add_={"state": "second"})
both("duplicate-response-type", "generic", "response_type twice", "invalid_request", add_={"response_type": "code"})
for client in ["loopback", "web"]:
    authz("huge-scope-" + client, "generic", "1000 unknown scopes: ignored or refused, never a 5xx", client, ANY,
          set={"scope": "${repeatWords:s:1000}"})
for name, value in [("port-99999", "http://127.0.0.1:99999/callback"), ("port-0", "http://127.0.0.1:0/callback"),
                    ("dot-segment", "http://127.0.0.1:${randomPort}/x/../callback"),
                    ("crlf", "http://127.0.0.1:${randomPort}/callback\r\nLocation: https://evil.mcp-corpus.invalid"),
                    ("host-suffix", "http://127.0.0.1.mcp-corpus.invalid/callback"),
                    ("userinfo", "http://127.0.0.1@evil.mcp-corpus.invalid/callback"),
                    ("zone-id", "http://[::1%25lo]:${randomPort}/callback"),
                    ("javascript", "javascript:alert(1)//http://127.0.0.1/callback"),
                    ("other-path", "http://127.0.0.1:${randomPort}/callback/../../evil")]:
    authz("redirect-" + name, "12" if name in ("port-99999", "port-0", "dot-segment", "zone-id") else "generic",
          "redirect_uri not registered: error page, never a redirect", "loopback", refuse(400, None, via="page"),
          set={"redirect_uri": value})
authz("duplicate-client-id", "generic", "client_id twice", "loopback", refuse(400, None, via="page"),
      add_={"client_id": "${webClient}"})
authz("duplicate-redirect-uri", "generic", "redirect_uri twice: page, or an error to the registered one", "loopback",
      refuse(400, None, via=EITHER, statuses=[302], alternatives=["invalid_request"]),
      add_={"redirect_uri": "https://app.mcp-corpus.invalid/cb"})
authz("client-unknown", "generic", "unknown client", "loopback", refuse(400, None, via="page"),
      set={"client_id": "no-such-client-${randomPort}"})
authz("client-canary-cimd", "1", "client_id URL at a loopback listener in a realm without allowance",
      "loopback", refuse(400, None, via="page"), set={"client_id": "https://127.0.0.1:${canaryPort}/authz-cimd.json"})
authz("client-id-huge", "generic", "client_id of 3000 characters", "loopback",
      refuse(400, None, via="page", statuses=[400, 414, 431]), set={"client_id": "${repeat:c:3000}"})
authz("web-wrong-redirect", "6", "https client with another redirect: page", "web", refuse(400, None, via="page"),
      set={"redirect_uri": "https://app.mcp-corpus.invalid/other"})
for name, params in [("state-bidi", {"state": "\u202eabc"}), ("state-huge", {"state": "${repeat:s:1500}"}),
                     ("login-hint-html", {"login_hint": "<script>alert(1)</script>"}),
                     ("ui-locales-path", {"ui_locales": "../../../../etc/passwd"}),
                     ("claims-not-json", {"claims": "{not json"}), ("max-age-negative", {"max_age": "-1"}),
                     ("max-age-text", {"max_age": "abc"}), ("nonce-nul", {"nonce": "a\u0000b"}),
                     ("acr-values-junk", {"acr_values": "\u0000 \u202e"}),
                     ("scope-grant-scope", {"scope": "files:read mcp-server:${serverId}"}),
                     ("kc-idp-hint-junk", {"kc_idp_hint": "../../admin"}),
                     ("prompt-garbage", {"prompt": "consent login select_account junk"})]:
    authz("loopback-" + name, "generic" if name != "scope-grant-scope" else "4",
          "odd but harmless parameter: login page or error, never a 5xx or a connection", "loopback", ANY, set=params)

# ---------------------------------------------------------------------------------------------------------------
# token: POST the token endpoint as the loopback client.
# from "code": fresh code from an authorization with resource=${server}; base form = the code exchange with it
# from "code-no-resource": fresh code from an authorization without resource; base form has no resource
# from "refresh": refresh token bound to ${server}; base form = refresh with resource=${server}
# from "refresh-no-resource": refresh token from a flow without resource; base form without resource
# from "none": grant_type and client_id only
# afterwards "refresh-usable": the (same) refresh token still works after the refusal
# ---------------------------------------------------------------------------------------------------------------


def tok(cid, item, why, source, expect, set=None, add_=None, remove=None, afterwards=None, client="loopback"):
    request = {"from": source, "client": client}
    if set:
        request["set"] = set
    if add_:
        request["add"] = add_
    if remove:
        request["remove"] = remove
    if afterwards:
        request["afterwards"] = afterwards
    add("token", cid, item, why, request, expect)


tok("control-code", "control", "valid code exchange", "code", ACCEPT)
tok("control-refresh", "control", "valid refresh", "refresh", ACCEPT)
tok("code-no-resource-redeemed-with-resource", "10", "code without resource redeemed with one",
    "code-no-resource", refuse(400, "invalid_target"), set={"resource": "${server}"})
tok("code-other-server", "10", "code for one server redeemed for another", "code", refuse(400, "invalid_target"),
    set={"resource": "${otherServer}"})
tok("code-two-resources", "generic", "two resources at code exchange", "code", refuse(400, "invalid_target"),
    add_={"resource": "${otherServer}"})
tok("code-resource-canary", "generic", "resource naming a loopback listener", "code", refuse(400, "invalid_target"),
    set={"resource": "https://127.0.0.1:${canaryPort}/mcp"})
tok("code-resource-fragment", "generic", "resource with a fragment", "code", refuse(400, "invalid_target"),
    set={"resource": "${server}#x"})
tok("code-wrong-verifier", "generic", "wrong code_verifier", "code", refuse(400, "invalid_grant"),
    set={"code_verifier": "${repeat:v:43}"})
tok("code-no-verifier", "generic", "missing code_verifier", "code", refuse(400, "invalid_grant"),
    remove=["code_verifier"])
tok("code-short-verifier", "generic", "code_verifier too short", "code", refuse(400, "invalid_grant",
    alternatives=["invalid_request"]), set={"code_verifier": "abc"})
tok("code-wrong-redirect", "generic", "another redirect_uri", "code", refuse(400, "invalid_grant"),
    set={"redirect_uri": "http://127.0.0.1:1/other"})
tok("code-other-client", "generic", "code redeemed by another client", "code", refuse(401, "invalid_client",
    alternatives=["unauthorized_client", "invalid_grant"], statuses=[400, 401]), set={"client_id": "${webClient}"})
tok("code-reused", "generic", "code redeemed twice", "used-code", refuse(400, "invalid_grant"))
tok("code-garbage", "generic", "a made-up 5000-character code", "code", refuse(400, "invalid_grant",
    alternatives=["invalid_request"]), set={"code": "${repeat:A:5000}"})
tok("code-made-up", "generic", "a made-up code", "code", refuse(400, "invalid_grant"),
    set={"code": "00000000-0000-0000-0000-000000000000.x.y"})
tok("code-crlf", "generic", "code with CRLF", "code", refuse(400, "invalid_grant"), set={"code": "abc\r\ndef"})
tok("code-duplicate", "generic", "code twice", "code", refuse(400, "invalid_request",
    alternatives=["invalid_grant"]), add_={"code": "second"})
tok("grant-type-duplicate", "generic", "grant_type twice", "code", refuse(400, "invalid_request",
    alternatives=["unsupported_grant_type"]), add_={"grant_type": "refresh_token"})
tok("refresh-other-server", "10", "refresh for another server", "refresh", refuse(400, "invalid_target"),
    set={"resource": "${otherServer}"}, afterwards="refresh-usable")
tok("refresh-unbound-with-resource", "10", "refresh token with no bound resource used with one",
    "refresh-no-resource", refuse(400, "invalid_target"), set={"resource": "${server}"}, afterwards="refresh-usable")
tok("refresh-two-resources", "generic", "two resources at refresh", "refresh", refuse(400, "invalid_target"),
    add_={"resource": "${otherServer}"}, afterwards="refresh-usable")
tok("refresh-resource-canary", "generic", "refresh with a loopback resource", "refresh",
    refuse(400, "invalid_target"), set={"resource": "https://127.0.0.1:${canaryPort}/mcp"},
    afterwards="refresh-usable")
tok("refresh-garbage", "generic", "a made-up refresh token", "refresh", refuse(400, "invalid_grant"),
    set={"refresh_token": "eyJhbGciOiJub25lIn0.e30."}, remove=["resource"])
tok("refresh-garbage-with-resource", "generic", "a made-up refresh token with a resource", "refresh",
    refuse(400, "invalid_grant", alternatives=["invalid_target"]),
    set={"refresh_token": "eyJhbGciOiJub25lIn0.e30."})
tok("refresh-scope-escalation", "generic", "refresh asking for more scope: refused, or the extra scopes dropped",
    "refresh", refuse(400, "invalid_scope", drop_allowed=True),
    set={"scope": "openid offline_access roles"}, afterwards="refresh-usable")
tok("refresh-other-client", "generic", "refresh token used by another client", "refresh",
    refuse(401, "invalid_client", alternatives=["invalid_grant", "unauthorized_client"], statuses=[400, 401]),
    set={"client_id": "${webClient}"})
tok("grant-password", "generic", "password grant", "none", refuse(400, "unauthorized_client",
    alternatives=["invalid_client", "unsupported_grant_type", "invalid_grant", "invalid_target"], statuses=[400, 401]),
    set={"grant_type": "password", "username": "carol", "password": "x", "resource": "${server}"})
tok("grant-client-credentials", "generic", "client_credentials as a public client", "none",
    refuse(400, "unauthorized_client", alternatives=["invalid_client", "unsupported_grant_type", "invalid_target"],
           statuses=[400, 401]), set={"grant_type": "client_credentials", "resource": "${server}"})
tok("grant-device-code", "10", "device_code grant with a resource", "none",
    refuse(400, "unauthorized_client", alternatives=["invalid_grant", "unsupported_grant_type", "invalid_request",
                                                      "invalid_target"], statuses=[400, 401]),
    set={"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": "abc",
         "resource": "${otherServer}"})
tok("grant-ciba", "10", "CIBA grant with a resource", "none",
    refuse(400, "unauthorized_client", alternatives=["invalid_grant", "unsupported_grant_type", "invalid_request",
                                                      "invalid_target"], statuses=[400, 401]),
    set={"grant_type": "urn:openid:params:grant-type:ciba", "auth_req_id": "abc", "resource": "${otherServer}"})
tok("grant-token-exchange", "10", "token exchange for another server", "refresh",
    refuse(400, "unauthorized_client", alternatives=["invalid_client", "invalid_request", "access_denied",
                                                      "invalid_target", "unsupported_grant_type"],
           statuses=[400, 401, 403]),
    set={"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange", "subject_token": "${accessToken}",
         "subject_token_type": "urn:ietf:params:oauth:token-type:access_token", "resource": "${otherServer}"},
    remove=["refresh_token"])
tok("grant-jwt-bearer", "generic", "jwt-bearer grant", "none",
    refuse(400, "unsupported_grant_type", alternatives=["unauthorized_client", "invalid_grant", "invalid_request"],
           statuses=[400, 401]),
    set={"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": "eyJhbGciOiJub25lIn0.e30."})
tok("grant-unknown", "generic", "unknown grant type", "none", refuse(400, "unsupported_grant_type"),
    set={"grant_type": "urn:mcp-corpus:nonsense"})
tok("grant-missing", "generic", "no grant type", "none", refuse(400, "invalid_request",
    alternatives=["unsupported_grant_type"]), remove=["grant_type"])
tok("client-assertion-garbage", "generic", "a public client adding a garbage assertion: ignored or refused", "code",
    ANY,
    set={"client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
         "client_assertion": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."})
tok("client-id-missing", "generic", "no client_id", "code", refuse(401, "invalid_client",
    alternatives=["invalid_request", "unauthorized_client"], statuses=[400, 401]), remove=["client_id"])

# ---------------------------------------------------------------------------------------------------------------

total = 0
ids = set()
for area, items in cases.items():
    for c in items:
        assert c["id"] not in ids, c["id"]
        ids.add(c["id"])
    total += len(items)
    with open(os.path.join(OUT, area + ".json"), "w", encoding="utf-8") as f:
        json.dump({"area": area, "cases": items}, f, indent=1, ensure_ascii=True)
        f.write("\n")
    print(area, len(items))
print("total", total)
