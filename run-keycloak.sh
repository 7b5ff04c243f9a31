#!/usr/bin/env bash
# Build the provider jar and run it in the official Keycloak distribution, in the foreground.
#
#   ./run-keycloak.sh [--port N] [--fresh] [--features LIST] [--demo] [-- extra kc.sh start-dev options]
#
# Needs only JDK 17 and Maven. Everything is kept under .run/ (gitignored).
# DEVELOPMENT ONLY: start-dev, plain HTTP, admin/admin bootstrap admin, demo user alice/alice.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN_DIR="$ROOT/.run"
REALM="${KC_REALM:-mcp}"
PORT="${KC_PORT:-8080}"
FRESH=false
DEMO=false
DEMO_PORT="${DEMO_MCP_PORT:-3001}"
# declarative-ui shows the extension's "mcp-servers" page in the admin console (an experimental
# Keycloak feature in 26.7.3); --features adds to it.
FEATURES="declarative-ui"
EXTRA_ARGS=()

usage() {
  cat <<EOF
Usage: ./run-keycloak.sh [--port N] [--fresh] [--features LIST] [--demo] [-- KC_OPTIONS...]

Builds providers/ (mvn package), fetches org.keycloak:keycloak-quarkus-dist from Maven Central
into .run/keycloak-<version>/ (once), installs the jar, imports realm-exports/*.json and runs
'kc.sh start-dev' in the foreground (Ctrl-C stops it).

  --port N         HTTP port (default 8080, or \$KC_PORT)
  --fresh          delete .run/keycloak-<version>/data first (dev database, imported realms, users)
  --features LIST  more Keycloak features, e.g. resource-indicators,cimd (declarative-ui is always on)
  --demo           also build and run the demo MCP server (demo-mcp-server/) at http://localhost:3001/mcp,
                   the "Demo MCP server" of the sample realm; it stops with Keycloak (docs/demo.md)
  -- ...           anything after -- is passed to 'kc.sh start-dev' unchanged

Without --fresh the existing dev database is kept, and --import-realm SKIPS realms that already
exist in it: after changing realm-exports/*.json, run with --fresh to see the change.

Environment: KC_PORT, KC_REALM (realm to wait for, default mcp), KC_VERSION (default: keycloak.version
in pom.xml), KC_BOOTSTRAP_ADMIN_USERNAME / KC_BOOTSTRAP_ADMIN_PASSWORD (default admin / admin),
DEMO_MCP_PORT (port of the demo MCP server, default 3001; the sample realm registers 3001).
EOF
}

die() { echo "run-keycloak.sh: $*" >&2; exit 1; }
say() { echo "==> $*"; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --port)       [[ $# -ge 2 ]] || die "--port needs a value"; PORT="$2"; shift 2 ;;
    --port=*)     PORT="${1#--port=}"; shift ;;
    --fresh)      FRESH=true; shift ;;
    --features)   [[ $# -ge 2 ]] || die "--features needs a value"; FEATURES="$FEATURES,$2"; shift 2 ;;
    --features=*) FEATURES="$FEATURES,${1#--features=}"; shift ;;
    --demo)       DEMO=true; shift ;;
    -h|--help)    usage; exit 0 ;;
    --)           shift; EXTRA_ARGS=("$@"); break ;;
    *)            usage >&2; die "unknown option: $1" ;;
  esac
done
if ! [[ "$PORT" =~ ^[0-9]{1,5}$ ]] || (( 10#$PORT < 1 || 10#$PORT > 65535 )); then
  die "invalid port: $PORT"
fi
PORT=$((10#$PORT))
if ! [[ "$DEMO_PORT" =~ ^[0-9]{1,5}$ ]] || (( 10#$DEMO_PORT < 1 || 10#$DEMO_PORT > 65535 )); then
  die "invalid DEMO_MCP_PORT: $DEMO_PORT"
fi
DEMO_PORT=$((10#$DEMO_PORT))

command -v java >/dev/null || die "java not found (JDK 17 needed)"
command -v mvn  >/dev/null || die "mvn not found (Maven needed)"

VERSION="${KC_VERSION:-$(sed -n 's:.*<keycloak.version>\(.*\)</keycloak.version>.*:\1:p' "$ROOT/pom.xml" | head -n1)}"
[[ -n "$VERSION" ]] || die "could not read <keycloak.version> from pom.xml"
KC_HOME="$RUN_DIR/keycloak-$VERSION"

# 1. Build the provider jar (always: it is cheap and keeps the running jar in step with the sources).
MODULES=providers
$DEMO && MODULES=providers,demo-mcp-server
say "Building the provider jar (mvn -pl $MODULES -am package)"
t0=$SECONDS
mvn -B -q -f "$ROOT/pom.xml" -DskipTests -pl "$MODULES" -am package
JAR=""
for f in "$ROOT"/providers/target/keycloak-mcp-authz-*.jar; do
  case "$f" in *-sources.jar|*-javadoc.jar|*-tests.jar) continue ;; esac
  [[ -f "$f" ]] && JAR="$f"
done
[[ -n "$JAR" ]] || die "no providers/target/keycloak-mcp-authz-*.jar after the build"
say "Built ${JAR#"$ROOT"/} in $((SECONDS - t0)) s"

# 2. Fetch and unpack the official distribution once.
if [[ ! -x "$KC_HOME/bin/kc.sh" ]]; then
  say "Fetching org.keycloak:keycloak-quarkus-dist:$VERSION:zip and unpacking it into ${KC_HOME#"$ROOT"/}"
  t0=$SECONDS
  tmp="$RUN_DIR/.unpack-$$"
  rm -rf "$tmp" "$KC_HOME"
  mkdir -p "$tmp"
  # Run outside the project (no pom in $tmp) so the reactor is not involved; Maven's own unpacker
  # keeps the executable bits and needs no 'unzip' on the machine.
  (cd "$tmp" && mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:unpack \
      "-Dartifact=org.keycloak:keycloak-quarkus-dist:$VERSION:zip" \
      "-DoutputDirectory=$tmp/dist" "-DmarkersDirectory=$tmp/markers")
  [[ -f "$tmp/dist/keycloak-$VERSION/bin/kc.sh" ]] || die "unexpected layout in keycloak-quarkus-dist-$VERSION.zip"
  mv "$tmp/dist/keycloak-$VERSION" "$KC_HOME"
  rm -rf "$tmp"
  chmod +x "$KC_HOME"/bin/*.sh
  say "Unpacked in $((SECONDS - t0)) s"
else
  say "Using ${KC_HOME#"$ROOT"/} (delete .run/ to fetch it again)"
fi

# 3. Install the jar (fixed name, so an old build never lingers next to a new one).
for f in "$KC_HOME"/providers/keycloak-mcp-authz*.jar; do
  [[ -e "$f" && "$f" != "$KC_HOME/providers/keycloak-mcp-authz.jar" ]] && rm -f "$f"
done
if ! cmp -s "$JAR" "$KC_HOME/providers/keycloak-mcp-authz.jar"; then
  cp "$JAR" "$KC_HOME/providers/keycloak-mcp-authz.jar"
fi

# 4. Data: keep the dev-file database unless --fresh; always refresh data/import from realm-exports/.
if $FRESH; then
  say "--fresh: deleting ${KC_HOME#"$ROOT"/}/data"
  rm -rf "$KC_HOME/data"
elif [[ -d "$KC_HOME/data/h2" ]]; then
  say "Keeping the existing dev database in ${KC_HOME#"$ROOT"/}/data/h2:"
  say "  realms that already exist there are NOT re-imported (run with --fresh to re-import realm-exports/)."
fi
mkdir -p "$KC_HOME/data/import"
rm -f "$KC_HOME"/data/import/*.json
shopt -s nullglob
exports=("$ROOT"/realm-exports/*.json)
shopt -u nullglob
if (( ${#exports[@]} )); then
  cp "${exports[@]}" "$KC_HOME/data/import/"
  say "Realm files to import: $(cd "$ROOT/realm-exports" && echo *.json)"
else
  echo "run-keycloak.sh: warning: no realm-exports/*.json; realm '$REALM' will not exist" >&2
fi

# 5. Announce the URLs once the realm answers (background poller; it stops when Keycloak stops).
BASE="http://localhost:$PORT"
http_ok() { # $1 = path; true on HTTP 200. curl if present, else bash's /dev/tcp.
  if command -v curl >/dev/null; then
    curl -fsS -o /dev/null --max-time 5 "$BASE$1" 2>/dev/null
  else
    local status
    status=$( { exec 3<>"/dev/tcp/127.0.0.1/$PORT" \
        && printf 'GET %s HTTP/1.1\r\nHost: localhost:%s\r\nConnection: close\r\n\r\n' "$1" "$PORT" >&3 \
        && IFS= read -r -t 5 line <&3 && printf '%s' "$line"; } 2>/dev/null ) || return 1
    [[ "$status" == "HTTP/1."?" 200"* ]]
  fi
}
announce() {
  local kc_pid=$1 started=$SECONDS master_up=""
  while kill -0 "$kc_pid" 2>/dev/null; do
    if http_ok "/realms/$REALM/.well-known/openid-configuration"; then
      cat <<EOF

==================================================================================
 Keycloak $VERSION is ready (after $((SECONDS - started)) s)  -  DEVELOPMENT ONLY
   Realm issuer:          $BASE/realms/$REALM
   OpenID metadata:       $BASE/realms/$REALM/.well-known/openid-configuration
   RFC 8414 metadata:     $BASE/.well-known/oauth-authorization-server/realms/$REALM
   Admin console:         $BASE/admin/  (realm $REALM: $BASE/admin/master/console/#/$REALM)
   Credentials (development only, never use them anywhere else):
     admin / admin   bootstrap admin of the master realm
     alice / alice   demo user of realm $REALM
   Data: ${KC_HOME#"$ROOT"/}/data (reset with --fresh)   Stop: Ctrl-C
${DEMO_BANNER}==================================================================================

EOF
      return 0
    fi
    if [[ -z "$master_up" ]] && http_ok "/realms/master/.well-known/openid-configuration"; then
      master_up=$SECONDS
    fi
    if [[ -n "$master_up" ]] && (( SECONDS - master_up > 30 )); then
      echo "run-keycloak.sh: warning: Keycloak is up at $BASE but realm '$REALM' is not served" \
           "(missing from realm-exports/? the import failed?)" >&2
      return 0
    fi
    if (( SECONDS - started > 900 )); then
      echo "run-keycloak.sh: warning: no answer from $BASE after 900 s; stopped waiting" >&2
      return 0
    fi
    sleep 1
  done
}

# Lines the ready banner adds for --demo (empty without it).
DEMO_BANNER=""
if $DEMO; then
  DEMO_BANNER="   Demo MCP server:       http://localhost:$DEMO_PORT/mcp   (log: .run/demo-mcp-server.log)
     connect an MCP client to it and log in as alice: docs/demo.md, e.g.
     claude mcp add --transport http demo http://localhost:$DEMO_PORT/mcp
"
fi

# 6. The demo MCP server (--demo): in the background, stopped when Keycloak stops (the watcher) or on Ctrl-C (same
#    process group). It fetches the realm's metadata at the first request, so it may start before Keycloak.
if $DEMO; then
  DEMO_CP="$ROOT/demo-mcp-server/target/classes:$(cat "$ROOT/demo-mcp-server/target/classpath.txt")"
  mkdir -p "$RUN_DIR"
  java -cp "$DEMO_CP" io.github.mcpauthz.demo.DemoMcpServer --port "$DEMO_PORT" \
      --issuer "$BASE/realms/$REALM" >"$RUN_DIR/demo-mcp-server.log" 2>&1 &
  DEMO_PID=$!
  for _ in $(seq 1 240); do  # until it prints "ready" (seconds; at most 2 min), or exits (port in use?)
    grep -q "ready at" "$RUN_DIR/demo-mcp-server.log" 2>/dev/null && break
    kill -0 "$DEMO_PID" 2>/dev/null || { cat "$RUN_DIR/demo-mcp-server.log" >&2; die "the demo MCP server did not start"; }
    sleep 0.5
  done
  ( while kill -0 $$ 2>/dev/null; do sleep 1; done; kill "$DEMO_PID" 2>/dev/null ) &
  say "Demo MCP server started (pid $DEMO_PID) at http://localhost:$DEMO_PORT/mcp, log .run/demo-mcp-server.log"
fi

ARGS=(start-dev "--http-port=$PORT" --import-realm)
[[ -n "$FEATURES" ]] && ARGS+=("--features=$FEATURES")
ARGS+=(${EXTRA_ARGS[@]+"${EXTRA_ARGS[@]}"})

export KC_BOOTSTRAP_ADMIN_USERNAME="${KC_BOOTSTRAP_ADMIN_USERNAME:-admin}"
export KC_BOOTSTRAP_ADMIN_PASSWORD="${KC_BOOTSTRAP_ADMIN_PASSWORD:-admin}"

# exec keeps this PID for kc.sh, which the poller watches.
announce $$ &
say "Starting: kc.sh ${ARGS[*]}"
cd "$KC_HOME"
exec bin/kc.sh "${ARGS[@]}"
