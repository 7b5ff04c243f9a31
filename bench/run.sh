#!/usr/bin/env bash
# Benchmark: stock Keycloak against Keycloak with the keycloak-mcp-authz jar, side by side, alternating rounds.
#
#   ./bench/run.sh [--smoke] [--scenarios LIST] [--rounds N] [--round-seconds S] [--out DIR] [--publish] ...
#
# Builds the provider jar and the driver (bench/pom.xml), unpacks the official Keycloak distribution into
# bench/target/kc-stock and bench/target/kc-jar, and runs io.github.mcpauthz.bench.Bench, which starts both Keycloaks on
# free ports of 127.0.0.1, sets up equivalent realms, measures, and writes bench/target/results/<timestamp>/.
# Both Keycloaks are stopped at the end, also on failure or Ctrl-C. See docs/performance.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
TARGET="$BENCH/target"
cd "$ROOT"

for arg in "$@"; do
  if [[ "$arg" == "-h" || "$arg" == "--help" ]]; then
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
    echo
    echo "Options (defaults of a full run; --smoke changes them):"
    echo "  --smoke                few seconds per scenario, scales 10 and 100, 1 round; fails only on functional errors"
    echo "  --scenarios LIST       comma list of: token,scale,register,authorize,cimd,startup (default all);"
    echo "                         consent: the consent page alone (part of authorize)"
    echo "  --rounds N             measurement rounds per scenario and side (3)"
    echo "  --forks N              JVM starts per side for the token scenario, both restarted in between (3; smoke 1)"
    echo "  --fresh-first-fork     restart both Keycloaks after the realm set-up, before the token scenario's first fork"
    echo "  --no-scenario-restarts run each scenario in the JVMs the one before it used (default: both restarted; smoke: kept)"
    echo "  --round-seconds S      seconds per round (10)"
    echo "  --warmup-seconds S     warm-up per round and side, not measured (3)"
    echo "  --jit-warmup-seconds S more warm-up per side before a scenario's first round, for the JIT (30; smoke 0)"
    echo "  --concurrency N        concurrent clients (8)"
    echo "  --scales LIST          server counts of the scale scenario (10,1000,10000)"
    echo "  --token-kinds LIST     the token scenario's measurements, comma list of: code,refresh (default both)"
    echo "  --scale-kinds LIST     the scale scenario's measurements, comma list of: admin-refresh,dcr-refresh,"
    echo "                         dcr-code,consent-page,register (default all)"
    echo "  --scale-rounds N       rounds of the scale scenario, scales and sides taking turns (9; smoke 1)"
    echo "  --scale-round-seconds S  seconds per scale round (5; smoke: --round-seconds)"
    echo "  --setup-timeout S      seconds allowed for each scale realm's set-up per side (600)"
    echo "  --first-starts N       first starts per side (fresh database and start-dev build each), median (3)"
    echo "  --restarts N           extra stop/start cycles per side for the start-up figures (1)"
    echo "  --start-timeout S      seconds allowed for one Keycloak start (600)"
    echo "  --out DIR              results directory (bench/target/results/<timestamp>)"
    echo "  --publish              copy the charts and results.md to docs/bench/"
    echo "  --reuse-dist           keep bench/target/kc-* from an earlier run when the jar is the same (faster; the"
    echo "                         first start then has no start-dev build)"
    exit 0
  fi
done

KC_VERSION="$(sed -n 's:.*<keycloak.version>\(.*\)</keycloak.version>.*:\1:p' pom.xml | head -1)"
echo "[bench] Keycloak $KC_VERSION; building the provider jar and the benchmark driver"
mvn -B -q -Dstyle.color=never -DskipTests -pl providers -am package
mvn -B -q -Dstyle.color=never -DskipTests -f bench/pom.xml package

JAR="$(ls providers/target/keycloak-mcp-authz-*.jar | grep -v -E 'sources|javadoc|tests' | head -1)"
DIST="$TARGET/dist/keycloak-$KC_VERSION"
[[ -x "$DIST/bin/kc.sh" ]] || { echo "[bench] missing $DIST/bin/kc.sh" >&2; exit 1; }

RUN="$TARGET/run"
mkdir -p "$RUN"

# Pids of Keycloaks a killed earlier run left behind (only ours: their command line names bench/target).
stop_recorded_keycloaks() {
  local file pid
  for file in "$RUN"/*.pids; do
    [[ -f "$file" ]] || continue
    while read -r pid; do
      [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || continue
      if tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q "$TARGET/kc-"; then
        kill "$pid" 2>/dev/null || true
      fi
    done < "$file"
  done
  sleep 1
  for file in "$RUN"/*.pids; do
    [[ -f "$file" ]] || continue
    while read -r pid; do
      [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || continue
      if tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q "$TARGET/kc-"; then
        kill -9 "$pid" 2>/dev/null || true
      fi
    done < "$file"
    rm -f "$file"
  done
}
stop_recorded_keycloaks

REUSE=false
for arg in "$@"; do [[ "$arg" == "--reuse-dist" ]] && REUSE=true; done
if $REUSE && [[ -f "$TARGET/kc-stock/.bench-started" && -f "$TARGET/kc-jar/.bench-started" ]] \
    && cmp -s "$JAR" "$TARGET/kc-jar/providers/keycloak-mcp-authz.jar"; then
  # Development shortcut: keep the built copies (no start-dev build at the first start), only a fresh database.
  echo "[bench] --reuse-dist: keeping kc-stock and kc-jar (same jar), fresh databases"
  rm -rf "$TARGET/kc-stock/data" "$TARGET/kc-jar/data"
else
  echo "[bench] fresh copies of the distribution: kc-stock (no jar), kc-jar (with $(basename "$JAR"))"
  rm -rf "$TARGET/kc-stock" "$TARGET/kc-jar"
  cp -a "$DIST" "$TARGET/kc-stock"
  cp -a "$DIST" "$TARGET/kc-jar"
  cp "$JAR" "$TARGET/kc-jar/providers/keycloak-mcp-authz.jar"
fi

# TLS of the local CIMD document host: a self-signed certificate for localhost / 127.0.0.1, which both Keycloaks trust
# through --truststore-paths (it is its own trust anchor).
TLS="$TARGET/tls"
if [[ ! -f "$TLS/complete" ]]; then
  rm -rf "$TLS" && mkdir -p "$TLS"
  keytool -J-Duser.language=en -genkeypair -alias doc-host -keyalg EC -groupname secp256r1 -dname CN=localhost \
    -validity 30 -ext san=dns:localhost,ip:127.0.0.1 -ext eku=serverAuth \
    -keystore "$TLS/doc-host.p12" -storetype PKCS12 -storepass changeit >/dev/null 2>&1
  keytool -J-Duser.language=en -exportcert -rfc -alias doc-host -keystore "$TLS/doc-host.p12" -storepass changeit \
    -file "$TLS/doc-host.pem" >/dev/null 2>&1
  date > "$TLS/complete"
fi

DRIVER_PID=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n "$DRIVER_PID" ]] && kill -0 "$DRIVER_PID" 2>/dev/null; then
    kill "$DRIVER_PID" 2>/dev/null || true   # its shutdown hook stops both Keycloaks
    for _ in $(seq 1 40); do kill -0 "$DRIVER_PID" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$DRIVER_PID" 2>/dev/null || true
  fi
  stop_recorded_keycloaks
  exit "$status"
}
trap cleanup EXIT
trap 'echo "[bench] interrupted"; exit 130' INT TERM

java -Xmx512m -cp "$BENCH/target/classes:$BENCH/target/lib/*" io.github.mcpauthz.bench.Bench \
  --root "$ROOT" --keycloak-version "$KC_VERSION" --provider-jar "$JAR" "$@" &
DRIVER_PID=$!
set +e
wait "$DRIVER_PID"
status=$?
set -e
DRIVER_PID=""
exit "$status"
