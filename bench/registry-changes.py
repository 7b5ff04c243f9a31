#!/usr/bin/env python3
"""Times registry changes in a realm with N MCP servers, one request at a time (docs/performance.md).

  python3 bench/registry-changes.py BASE N REALM [--setup] STEP...

BASE is a Keycloak with the jar on loopback (e.g. ./run-keycloak.sh: http://127.0.0.1:8080, admin/admin; set
KC_ADMIN / KC_ADMIN_PASSWORD otherwise). --setup imports REALM with N servers (as the benchmark's jar side does) and
enables it. Steps: add (POST mcp-authz/servers), get (GET the realm: Keycloak reloads it after a change), disc (the
realm's authorization server metadata). Example: ... http://127.0.0.1:8080 10000 prof --setup add add get add disc add
"""
import json, os, sys, time, urllib.request, urllib.parse
BASE = sys.argv[1]; N = int(sys.argv[2]); REALM = sys.argv[3]
if not (BASE.startswith("http://127.0.0.1:") or BASE.startswith("http://localhost:") or BASE.startswith("http://[::1]:")):
    sys.exit("BASE must be a loopback address")
def tok():
    d = urllib.parse.urlencode({"grant_type":"password","client_id":"admin-cli","username":os.environ.get("KC_ADMIN","admin"),"password":os.environ.get("KC_ADMIN_PASSWORD","admin")}).encode()
    return json.load(urllib.request.urlopen(BASE + "/realms/master/protocol/openid-connect/token", d))["access_token"]
T = tok()
def call(method, path, body=None, timeout=900):
    data = None if body is None else json.dumps(body).encode()
    r = urllib.request.Request(BASE + path, data=data, method=method, headers={"Authorization": "Bearer " + T, "Content-Type": "application/json"})
    t = time.time()
    try:
        with urllib.request.urlopen(r, timeout=timeout) as resp:
            out = resp.read(); st = resp.status
    except urllib.error.HTTPError as e:
        out = e.read(); st = e.code
    return st, time.time() - t, out
def uri(i): return "https://mcp%d.bench.example/mcp" % i
if "--setup" in sys.argv:
    comps = [{"name": "Server %d" % i, "providerId": "mcp-servers", "config": {"resource": [uri(i)], "display-name": ["Server %d" % i], "scopes": ["s%d:read" % i, "s%d:write" % i], "default-resource": ["false"]}} for i in range(1, N + 1)]
    realm = {"realm": REALM, "enabled": True, "sslRequired": "none", "attributes": {"mcp.enabled": "false"}, "components": {"org.keycloak.services.ui.extend.UiPageProvider": comps}}
    st, s, o = call("POST", "/admin/realms", realm); print("import", st, round(s, 2), o[:200])
    st, s, o = call("POST", "/admin/realms/%s/mcp-authz/enable" % REALM); print("enable", st, round(s, 2), o[:200])
k = N + 1
for step in sys.argv[4:]:
    if step in ("--setup",): continue
    if step == "add":
        while True:
            st, s, o = call("POST", "/admin/realms/%s/mcp-authz/servers" % REALM, {"resource": uri(k), "name": "Server %d" % k, "scopes": ["s%d:read" % k, "s%d:write" % k]})
            if st != 409: break
            k += 1
        print("add rest", k, st, round(s, 3), "" if st == 201 else o[:300]); k += 1
    elif step == "get":
        st, s, o = call("GET", "/admin/realms/%s" % REALM); print("get realm", st, round(s, 3))
    elif step == "disc":
        st, s, o = call("GET", "/realms/%s/.well-known/oauth-authorization-server" % REALM); print("discovery", st, round(s, 3))
