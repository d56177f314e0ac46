#!/usr/bin/env bash
# The load harness on the full topology (docs/performance.md): publishes the four services (Release), starts
# PostgreSQL (scripts/postgres.sh, port 55432), runs scim-edge, users, roles and orgunits as separate processes in
# local mode on spare loopback ports against fresh bench_* databases, runs bench/Scim.LoadBench (tenant, key, org
# units, seed, IdP-shaped scenarios, Entra initial sync, optional scale curves), reads each service's peak resident
# memory, and stops everything it started. Never touches the developer's scim_* databases.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

usage() {
  cat <<'EOF'
Usage: bench/run.sh [options]

  --smoke            seconds, small data (CI): 300 users, 1 s per scenario, 1 run, a small Entra sync
  --sqlite           the embedded store (SQLite files) instead of PostgreSQL; reported separately
  --users N          users seeded for the load scenarios (default 10000)
  --duration S       seconds measured per scenario and run (default 10; a 2 s warm-up comes first)
  --warmup-round S   before run 1, every scenario runs S seconds unrecorded (default 5; 0: none) so the services
                     are past tiered JIT compilation when measuring starts
  --runs R           repeated runs; every figure is the median of the runs (default 3)
  --concurrency C    concurrent clients (default 32)
  --scale            the scale curves (PostgreSQL only): userName eq at 1 client and paging the whole tenant at
                     10k, 100k and 1M users (seeded by binary COPY), member PATCH time against group size
  --scale-sizes L    e.g. 10000,100000 (default 10000,100000,1000000)
  --group-sizes L    e.g. 10,100,1000 (default 10,100,1000,10000,50000)
  --sync-users N, --sync-groups N, --sync-memberships N
                     size of the Entra initial sync replay (default 2000 / 20 / 2000; 0 users and 0 groups skip it)
  --only LIST        only the scenarios whose name contains one of these, e.g. "filter,GET /Users/" (A/B checks)
  --out FILE         the JSON result (default bench/results/<store>-<UTC time>.json)
  --no-build         reuse artifacts/publish/ from scripts/publish.sh instead of publishing again
  --hold             after the run keep the services up (tokens in the printed scratch folder) for profiling,
                     until Ctrl-C / SIGTERM
  -h, --help         this help

Environment: BENCH_PORT_BASE (default 25100: edge, users, roles, orgunits on 25100..25103),
SCIM_BENCH_POSTGRES (server connection string; default from scripts/postgres.sh start), BENCH_START_TIMEOUT (120),
BENCH_PG_OPTIONS (appended to every service's connection string, e.g. "Max Auto Prepare=50" for an A/B run).
Like start.sh, every other variable reaches the services; names with a dot need env(1), e.g.
  env 'Logging__LogLevel__Microsoft.AspNetCore=Warning' bench/run.sh --only filter
EOF
}

STORE=postgres
BUILD=1
SMOKE=0
HOLD=0
OUT=""
BENCH_ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --smoke) SMOKE=1 ;;
    --sqlite) STORE=sqlite ;;
    --scale) BENCH_ARGS+=(--scale) ;;
    --no-build) BUILD=0 ;;
    --hold) HOLD=1 ;;
    --out) [[ $# -ge 2 ]] || { echo "--out needs a file" >&2; exit 2; }; OUT="$2"; shift ;;
    --users | --duration | --runs | --concurrency | --only | --scale-sizes | --group-sizes | --sync-users | --sync-groups | --sync-memberships | --warmup | --warmup-round | --scale-page-limit)
      [[ $# -ge 2 ]] || { echo "$1 needs a value" >&2; exit 2; }
      BENCH_ARGS+=("$1" "$2")
      shift
      ;;
    *) echo "unknown option: $1 (see bench/run.sh --help)" >&2; exit 2 ;;
  esac
  shift
done

if [[ $SMOKE -eq 1 ]]; then
  # Explicit options given after --smoke still win: the load client takes the last value of a repeated option.
  BENCH_ARGS=(--users 300 --duration 1 --warmup 0.3 --warmup-round 0 --runs 1 --concurrency 8 --sync-users 100 --sync-groups 4 --sync-memberships 200 "${BENCH_ARGS[@]}")
fi

HOST=127.0.0.1
BASE="${BENCH_PORT_BASE:-25100}"
SERVICES=(scim-edge users roles orgunits)
declare -A ASSEMBLY=([scim-edge]=ScimEdge.Api [users]=Users.Api [roles]=Roles.Api [orgunits]=OrgUnits.Api)
declare -A PORT=([scim-edge]=$BASE [users]=$((BASE + 1)) [roles]=$((BASE + 2)) [orgunits]=$((BASE + 3)))
declare -A PGDB=([scim-edge]=bench_edge [users]=bench_users [roles]=bench_roles [orgunits]=bench_orgunits)
declare -A PID=()
url() { echo "http://$HOST:${PORT[$1]}"; }

for name in "${SERVICES[@]}"; do
  if (exec 3<>"/dev/tcp/$HOST/${PORT[$name]}") 2>/dev/null; then
    echo "port ${PORT[$name]} ($name) is in use; set BENCH_PORT_BASE" >&2
    exit 1
  fi
done

# ---------------------------------------------------------------- build
if [[ $BUILD -eq 1 ]]; then
  echo "publishing the services (Release)..."
  scripts/publish.sh >/dev/null
fi
for name in "${SERVICES[@]}"; do
  [[ -f "artifacts/publish/${ASSEMBLY[$name]}/${ASSEMBLY[$name]}.dll" ]] || { echo "artifacts/publish/${ASSEMBLY[$name]} missing: run without --no-build" >&2; exit 1; }
done
echo "building the load client (Release)..."
dotnet publish bench/Scim.LoadBench/Scim.LoadBench.csproj -c Release -nologo -v quiet -clp:ErrorsOnly -o artifacts/bench/Scim.LoadBench >/dev/null

# ---------------------------------------------------------------- scratch folder, secrets, store
DATA="$(mktemp -d "${TMPDIR:-/tmp}/scim-bench.XXXXXX")"
chmod 700 "$DATA"
mkdir -p "$DATA/logs"
secret() { (umask 077 && head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$DATA/$1"); cat "$DATA/$1"; }
INTERNAL_TOKEN="$(secret internal-token)"
ADMIN_TOKEN="$(secret admin-token)"

if [[ $STORE == postgres ]]; then
  # Benchmarks measure real commits: a server this script starts is durable (fsync on). A server that is already
  # running (the tests' one) is used as it is; its fsync and synchronous_commit settings are printed below.
  PG_SERVER="${SCIM_BENCH_POSTGRES:-$(SCIM_PG_DURABLE=1 scripts/postgres.sh start)}"
  PG_SERVER="${PG_SERVER%;}"
  pg_host() { sed -n 's/.*[Hh]ost=\([^;]*\).*/\1/p' <<<"$PG_SERVER"; }
  pg_port() { sed -n 's/.*[Pp]ort=\([^;]*\).*/\1/p' <<<"$PG_SERVER"; }
  pg_user() { sed -n 's/.*[Uu]sername=\([^;]*\).*/\1/p' <<<"$PG_SERVER"; }
  case "$(pg_host)" in 127.* | localhost | ::1) ;; *) echo "the PostgreSQL server must be on loopback" >&2; exit 1 ;; esac
  pg_connection() { sed 's/;*[Dd]atabase=[^;]*//' <<<"$PG_SERVER" | sed "s/\$/;Database=$1/"; }
  if command -v psql >/dev/null 2>&1; then
    psql_do() { PGHOST="$(pg_host)" PGPORT="$(pg_port)" PGUSER="$(pg_user)" PGDATABASE=postgres psql -X -q -t -A -v ON_ERROR_STOP=1 -c "$1"; }
    for name in "${SERVICES[@]}"; do
      psql_do "DROP DATABASE IF EXISTS ${PGDB[$name]} WITH (FORCE)" >/dev/null
      psql_do "CREATE DATABASE ${PGDB[$name]}" >/dev/null
    done
    echo "PostgreSQL $(psql_do 'SHOW server_version') on $(pg_host):$(pg_port): fsync=$(psql_do 'SHOW fsync') synchronous_commit=$(psql_do 'SHOW synchronous_commit'); fresh databases ${PGDB[*]}"
  else
    names=()
    for name in "${SERVICES[@]}"; do names+=("${PGDB[$name]}"); done
    PG_ENSURE_CONNECTION="$PG_SERVER" dotnet run scripts/pg-ensure-databases.cs -- --drop "${names[@]}"
    PG_ENSURE_CONNECTION="$PG_SERVER" dotnet run scripts/pg-ensure-databases.cs -- "${names[@]}"
  fi
  # A longer connect timeout than Npgsql's 15 s: on the shared machine a service starting while others build can wait
  # that long for its first connection. Pooling and command settings stay the services' defaults.
  store_connection() { echo "$(pg_connection "${PGDB[$1]}");Timeout=60${BENCH_PG_OPTIONS:+;$BENCH_PG_OPTIONS}"; }
  BENCH_ARGS+=(--users-db "$(pg_connection bench_users)")
else
  store_connection() { echo "Data Source=$DATA/bench_$1.db"; }
fi

# ---------------------------------------------------------------- processes (started as start.sh starts them)
STOPPING=0
stop_all() {
  [[ $STOPPING -eq 1 ]] && return
  STOPPING=1
  local name pid deadline
  for name in "${!PID[@]}"; do kill -TERM "${PID[$name]}" 2>/dev/null || true; done
  deadline=$((SECONDS + 25))
  for name in "${!PID[@]}"; do
    pid="${PID[$name]}"
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  PID=()
  if [[ "${KEEP_DATA:-0}" != 1 ]]; then rm -rf "$DATA"; fi
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap 'stop_all' EXIT

# shellcheck source=scripts/local-service-settings.sh
source "$ROOT/scripts/local-service-settings.sh"

start_service() {
  local name="$1" dir="$ROOT/artifacts/publish/${ASSEMBLY[$1]}" settings
  mapfile -t settings < <(service_settings "$name" Production "$STORE" "$(store_connection "$name")" "$INTERNAL_TOKEN" "$ADMIN_TOKEN")
  # Exported inside the subshell, not passed to `env`: the tokens must not be in an argument list `ps` shows.
  (cd "$dir" && export "${settings[@]}" && exec dotnet "${ASSEMBLY[$1]}.dll") >>"$DATA/logs/$name.log" 2>&1 </dev/null &
  PID[$name]=$!
}

for name in "${SERVICES[@]}"; do start_service "$name"; done
deadline=$((SECONDS + ${BENCH_START_TIMEOUT:-120}))
for name in "${SERVICES[@]}"; do
  until curl -fsS -o /dev/null --max-time 2 "$(url "$name")/healthz/ready" 2>/dev/null; do
    if ! kill -0 "${PID[$name]}" 2>/dev/null || ((SECONDS >= deadline)); then
      echo "$name did not become ready; last lines of its log:" >&2
      tail -n 40 "$DATA/logs/$name.log" >&2 || true
      exit 1
    fi
    sleep 0.3
  done
done
echo "four services ready on $HOST:$BASE..$((BASE + 3)) ($STORE)"

# ---------------------------------------------------------------- the load
COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
git diff --quiet HEAD 2>/dev/null || COMMIT="$COMMIT+dirty"
if [[ -z "$OUT" && $SMOKE -eq 1 ]]; then OUT="${TMPDIR:-/tmp}/scim-bench-smoke-$STORE.json"; fi
[[ -n "$OUT" ]] || OUT="bench/results/$STORE-$(date -u +%Y%m%dT%H%M%SZ).json"
PIDS="scim-edge=${PID[scim-edge]},users=${PID[users]},roles=${PID[roles]},orgunits=${PID[orgunits]}"
status=0
dotnet artifacts/bench/Scim.LoadBench/Scim.LoadBench.dll \
  --edge "$(url scim-edge)" --users-url "$(url users)" \
  --admin-token-file "$DATA/admin-token" --internal-token-file "$DATA/internal-token" \
  --store "$STORE" --commit "$COMMIT" --pids "$PIDS" --out "$OUT" "${BENCH_ARGS[@]}" || status=$?

for name in "${SERVICES[@]}"; do
  if ! kill -0 "${PID[$name]}" 2>/dev/null; then
    echo "$name died during the run; last lines of its log:" >&2
    tail -n 40 "$DATA/logs/$name.log" >&2 || true
    status=1
  fi
done
if [[ $status -ne 0 ]]; then
  for name in "${SERVICES[@]}"; do
    echo "--- $name: warnings and errors in its log" >&2
    grep -E '(warn|fail|crit)' "$DATA/logs/$name.log" | tail -n 10 >&2 || true
  done
fi
if [[ $HOLD -eq 1 ]]; then
  echo "holding: edge $(url scim-edge), users $(url users); admin and internal tokens in $DATA (removed on exit); Ctrl-C stops"
  while true; do
    wait -n "${PID[@]}" || true
    for name in "${SERVICES[@]}"; do kill -0 "${PID[$name]}" 2>/dev/null || { echo "$name stopped" >&2; exit 1; }; done
  done
fi
exit "$status"
