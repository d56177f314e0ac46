#!/usr/bin/env bash
# Local mode in one command: builds the four services once (Release), runs each as its own process on loopback
# with its own database, wires them together as the Helm chart does with Dapr (direct HTTP instead), creates a `dev`
# tenant with an API key on first run, and stops everything on Ctrl-C / SIGTERM. See docs/local-mode.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
  cat <<'EOF'
Usage: ./start.sh [options]

Starts the Assure SCIM platform locally: scim-edge, users, roles and orgunits, each a separate
process on 127.0.0.1, each with its own database. Ctrl-C (or SIGTERM) stops all four.

Options:
  --no-build        Skip the Release build and run what the last build left in bin/Release.
  --data-dir DIR    Where databases, tokens, the dev API key and logs live (default: .data).
  --reset           Delete the local data first (databases, tokens, dev key, logs) and start afresh.
                    With SCIM_POSTGRES set it drops the scim_* databases too.
  -h, --help        Show this help.

Environment:
  SCIM_POSTGRES       An Npgsql server connection string, e.g.
                      "Host=127.0.0.1;Port=5432;Username=postgres;Password=secret".
                      When set, every service uses PostgreSQL: database scim_<service> on that
                      server, created if missing (with psql if installed, otherwise a small
                      dotnet helper, scripts/pg-ensure-databases.cs). Unset: SQLite files.
  SCIM_DATA_DIR       Same as --data-dir.
  SCIM_EDGE_PORT      scim-edge port (default 5100)
  SCIM_USERS_PORT     users port (default 5101)
  SCIM_ROLES_PORT     roles port (default 5102)
  SCIM_ORGUNITS_PORT  orgunits port (default 5103)
  SCIM_START_TIMEOUT  Seconds to wait for every /healthz/ready (default 120).
  Any other variable the services read (e.g. Logging__LogLevel__Default=Debug) is passed through.

Files (under the data folder):
  admin-token       SCIM_ADMIN_TOKEN of the admin API (/admin/v1), generated on first run
  internal-token    the internal token every service requires (dapr-api-token), generated on first run
  dev-api-key       an API key of tenant "dev" for the SCIM API
  logs/<service>.log
  <service>.db      SQLite databases (when SCIM_POSTGRES is not set)
EOF
}

BUILD=1
RESET=0
DATA_DIR="${SCIM_DATA_DIR:-$ROOT/.data}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h | --help) usage; exit 0 ;;
    --no-build) BUILD=0 ;;
    --reset) RESET=1 ;;
    --data-dir)
      [[ $# -ge 2 ]] || { echo "--data-dir needs a folder" >&2; exit 2; }
      DATA_DIR="$2"
      shift
      ;;
    --data-dir=*) DATA_DIR="${1#*=}" ;;
    *) echo "unknown option: $1 (see ./start.sh --help)" >&2; exit 2 ;;
  esac
  shift
done

for tool in dotnet curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "start.sh needs '$tool' on PATH" >&2; exit 1; }
done

mkdir -p "$DATA_DIR"
DATA_DIR="$(cd "$DATA_DIR" && pwd)"
LOG_DIR="$DATA_DIR/logs"
HOST=127.0.0.1
TIMEOUT="${SCIM_START_TIMEOUT:-120}"

# name | project folder | assembly | port | SQLite file | PostgreSQL database
SERVICES=(scim-edge users roles orgunits)
declare -A PROJECT=([scim-edge]=services/scim-edge/ScimEdge.Api [users]=services/users/Users.Api [roles]=services/roles/Roles.Api [orgunits]=services/orgunits/OrgUnits.Api)
declare -A ASSEMBLY=([scim-edge]=ScimEdge.Api [users]=Users.Api [roles]=Roles.Api [orgunits]=OrgUnits.Api)
declare -A PORT=([scim-edge]="${SCIM_EDGE_PORT:-5100}" [users]="${SCIM_USERS_PORT:-5101}" [roles]="${SCIM_ROLES_PORT:-5102}" [orgunits]="${SCIM_ORGUNITS_PORT:-5103}")
declare -A PGDB=([scim-edge]=scim_edge [users]=scim_users [roles]=scim_roles [orgunits]=scim_orgunits)
declare -A PID=()

url() { echo "http://$HOST:${PORT[$1]}"; }

# ---------------------------------------------------------------- PostgreSQL helpers
# Runs SQL against the maintenance database named by SCIM_POSTGRES with psql; the password travels in PGPASSWORD,
# never on a command line.
pg_psql() {
  local part key value host="" port="" user="" password="" database="postgres"
  local IFS=';'
  for part in $SCIM_POSTGRES; do
    [[ "$part" == *=* ]] || continue
    key="$(printf '%s' "${part%%=*}" | tr -d ' ' | tr '[:upper:]' '[:lower:]')"
    value="${part#*=}"
    case "$key" in
      host | server) host="$value" ;;
      port) port="$value" ;;
      username | userid | user | uid) user="$value" ;;
      password | pwd) password="$value" ;;
      database | db) database="$value" ;;
    esac
  done
  PGHOST="$host" PGPORT="${port:-5432}" PGUSER="$user" PGPASSWORD="$password" PGDATABASE="$database" \
    psql -X -q -t -A -v ON_ERROR_STOP=1 -c "$1"
}

# The server connection string with its Database= (if any) replaced by the service's own database.
pg_connection() {
  local part key out="" IFS=';'
  for part in $SCIM_POSTGRES; do
    key="$(printf '%s' "${part%%=*}" | tr -d ' ' | tr '[:upper:]' '[:lower:]')"
    [[ -z "$part" || "$key" == database || "$key" == db ]] && continue
    out+="$part;"
  done
  echo "${out}Database=$1"
}

pg_databases() { # ensure|drop
  local names=() name
  for name in "${SERVICES[@]}"; do names+=("${PGDB[$name]}"); done
  if command -v psql >/dev/null 2>&1; then
    for name in "${names[@]}"; do
      if [[ "$1" == drop ]]; then
        pg_psql "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null
      elif [[ -z "$(pg_psql "SELECT 1 FROM pg_database WHERE datname = '$name'")" ]]; then
        pg_psql "CREATE DATABASE $name" >/dev/null
        echo "created database $name"
      fi
    done
  else
    echo "psql not found: using scripts/pg-ensure-databases.cs (the first run compiles it, which takes a minute)"
    local flag=()
    [[ "$1" == drop ]] && flag=(--drop)
    # The connection string may hold a password: it goes through the environment, not the argument list.
    PG_ENSURE_CONNECTION="$SCIM_POSTGRES" dotnet run "$ROOT/scripts/pg-ensure-databases.cs" -- "${flag[@]}" "${names[@]}"
  fi
}

# ---------------------------------------------------------------- reset, build, secrets
if [[ $RESET -eq 1 ]]; then
  echo "resetting $DATA_DIR"
  rm -rf "$LOG_DIR" "$DATA_DIR"/*.db "$DATA_DIR"/*.db-wal "$DATA_DIR"/*.db-shm \
    "$DATA_DIR/admin-token" "$DATA_DIR/internal-token" "$DATA_DIR/dev-api-key" "$DATA_DIR/dev-orgunit-hq"
  if [[ -n "${SCIM_POSTGRES:-}" ]]; then
    pg_databases drop
  fi
fi

if [[ $BUILD -eq 1 ]]; then
  echo "building the services (Release)..."
  dotnet build "$ROOT/scripts/local-services.slnf" -c Release -nologo -v quiet -clp:ErrorsOnly
fi

for name in "${SERVICES[@]}"; do
  dll="$ROOT/${PROJECT[$name]}/bin/Release/net10.0/${ASSEMBLY[$name]}.dll"
  [[ -f "$dll" ]] || { echo "$dll not found: run ./start.sh without --no-build" >&2; exit 1; }
  if (exec 3<>"/dev/tcp/$HOST/${PORT[$name]}") 2>/dev/null; then
    echo "port ${PORT[$name]} ($name) is already in use; is local mode running already? (see --help for the port variables)" >&2
    exit 1
  fi
done

mkdir -p "$LOG_DIR"
chmod 700 "$DATA_DIR"

# A secret generated once and kept (mode 0600), so a second start reuses it and the data it protects.
secret() {
  local file="$DATA_DIR/$1"
  if [[ ! -s "$file" ]]; then
    (umask 077 && head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$file")
  fi
  chmod 600 "$file"
  cat "$file"
}
INTERNAL_TOKEN="$(secret internal-token)"
ADMIN_TOKEN="$(secret admin-token)"

if [[ -n "${SCIM_POSTGRES:-}" ]]; then
  ENGINE=postgres
  pg_databases ensure
else
  ENGINE=sqlite
fi

store_connection() {
  if [[ $ENGINE == postgres ]]; then pg_connection "${PGDB[$1]}"; else echo "Data Source=$DATA_DIR/$1.db"; fi
}

# ---------------------------------------------------------------- processes
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
    if kill -0 "$pid" 2>/dev/null; then
      echo "$name did not stop in time; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  [[ ${#PID[@]} -gt 0 ]] && echo "stopped."
  PID=()
}
trap 'echo; echo "stopping..."; stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap 'stop_all' EXIT

# shellcheck source=scripts/local-service-settings.sh
source "$ROOT/scripts/local-service-settings.sh"

start_service() {
  local name="$1" dll="$ROOT/${PROJECT[$1]}/bin/Release/net10.0/${ASSEMBLY[$1]}.dll" settings
  mapfile -t settings < <(service_settings "$name" "${ASPNETCORE_ENVIRONMENT:-Production}" "$ENGINE" "$(store_connection "$name")" "$INTERNAL_TOKEN" "$ADMIN_TOKEN")
  echo "--- $(date -u +%Y-%m-%dT%H:%M:%SZ) start.sh starting $name on $(url "$name")" >>"$LOG_DIR/$name.log"
  # Run from the build folder so each service finds its own appsettings.json; `exec` makes the PID the service's.
  # The settings hold the tokens and any PostgreSQL password: `export` is a shell builtin, so they reach the service
  # through its environment only, never through an argument list that `ps` shows (as `env KEY=VALUE ...` would).
  (cd "$(dirname "$dll")" && export "${settings[@]}" && exec dotnet "$dll") >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
  PID[$name]=$!
}

fail_with_log() {
  echo "$1" >&2
  echo "--- last lines of $LOG_DIR/$2.log:" >&2
  tail -n 40 "$LOG_DIR/$2.log" >&2 || true
  exit 1
}

for name in "${SERVICES[@]}"; do start_service "$name"; done

declare -A READY=()
deadline=$((SECONDS + TIMEOUT))
while [[ ${#READY[@]} -lt ${#SERVICES[@]} ]]; do
  for name in "${SERVICES[@]}"; do
    [[ -n "${READY[$name]:-}" ]] && continue
    kill -0 "${PID[$name]}" 2>/dev/null || fail_with_log "$name exited during start-up" "$name"
    if curl -fsS -o /dev/null --max-time 2 "$(url "$name")/healthz/ready" 2>/dev/null; then
      READY[$name]=1
      echo "$name ready on $(url "$name")"
    fi
  done
  if [[ ${#READY[@]} -lt ${#SERVICES[@]} ]]; then
    if ((SECONDS >= deadline)); then
      for name in "${SERVICES[@]}"; do
        [[ -z "${READY[$name]:-}" ]] && fail_with_log "$name did not answer /healthz/ready within ${TIMEOUT}s" "$name"
      done
    fi
    sleep 0.3
  fi
done

# ---------------------------------------------------------------- first-run data: tenant dev, HQ, API key
# Secrets reach curl through a file descriptor, never through its arguments (which `ps` shows).
RESPONSE="$(mktemp "$DATA_DIR/.response.XXXXXX")"
trap 'rm -f "$RESPONSE"; stop_all' EXIT
admin_call() { # method path [json] -> prints the status; body in $RESPONSE
  local args=(-sS -o "$RESPONSE" -w '%{http_code}' -X "$1")
  [[ $# -ge 3 ]] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
  # The process substitution must sit on curl's own command line: its descriptor lives only as long as that command.
  curl "${args[@]}" -H @<(printf 'Authorization: Bearer %s\n' "$ADMIN_TOKEN") "$(url scim-edge)/admin/v1/$2" || echo 000
}
scim_status() { # key -> status of an authenticated SCIM request (401 means the key is not valid)
  curl -sS -o /dev/null -w '%{http_code}' -H @<(printf 'Authorization: Bearer %s\n' "$1") "$(url scim-edge)/v1/scim/" || echo 000
}

status="$(admin_call GET tenants/dev)"
if [[ "$status" == 404 ]]; then
  status="$(admin_call POST tenants '{"id":"dev","displayName":"Development","defaultLanguage":"en-GB","timeZone":"Europe/London","dateFormat":"DD/MM/YYYY"}')"
  [[ "$status" == 201 ]] || fail_with_log "creating tenant dev failed (HTTP $status): $(cat "$RESPONSE")" scim-edge
  echo "created tenant dev"
elif [[ "$status" != 200 ]]; then
  fail_with_log "reading tenant dev failed (HTTP $status)" scim-edge
fi

KEY_FILE="$DATA_DIR/dev-api-key"
if [[ ! -s "$KEY_FILE" || "$(scim_status "$(cat "$KEY_FILE")")" == 401 ]]; then
  status="$(admin_call POST tenants/dev/api-keys '{"title":"dev","description":"local mode (start.sh)"}')"
  if [[ "$status" == 409 ]]; then # the title is taken by a key whose secret is lost; keep it, add another
    status="$(admin_call POST tenants/dev/api-keys "{\"title\":\"dev-$(date +%s)\",\"description\":\"local mode (start.sh)\"}")"
  fi
  [[ "$status" == 201 ]] || fail_with_log "creating the dev API key failed (HTTP $status): $(cat "$RESPONSE")" scim-edge
  (umask 077 && sed -n 's/.*"key":"\([^"]*\)".*/\1/p' "$RESPONSE" >"$KEY_FILE")
  chmod 600 "$KEY_FILE"
  [[ -s "$KEY_FILE" ]] || fail_with_log "the API key response carried no key" scim-edge
  echo "created an API key for tenant dev"
fi

HQ_MARKER="$DATA_DIR/dev-orgunit-hq"
if [[ ! -s "$HQ_MARKER" ]]; then
  status="$(admin_call POST tenants/dev/orgunits '{"name":"Head Office","externalId":"HQ"}')"
  if [[ "$status" == 201 || "$status" == 409 ]]; then
    cp "$RESPONSE" "$HQ_MARKER"
    echo "created org unit Head Office (external id HQ) for tenant dev"
  else
    echo "warning: creating org unit Head Office failed (HTTP $status): $(head -c 300 "$RESPONSE"); it is retried on the next start" >&2
  fi
fi
rm -f "$RESPONSE"
trap 'stop_all' EXIT

REL_DATA="${DATA_DIR#"$PWD"/}"
cat <<EOF

Assure SCIM local mode is running ($ENGINE).
  SCIM base URL   $(url scim-edge)/v1/scim
  Admin API       $(url scim-edge)/admin/v1
  Admin token     $REL_DATA/admin-token
  Dev API key     $REL_DATA/dev-api-key   (tenant "dev")
  Logs            $REL_DATA/logs/<service>.log

Try:
  curl -H "Authorization: Bearer \$(cat $REL_DATA/dev-api-key)" $(url scim-edge)/v1/scim/Users
  curl -H "Authorization: Bearer \$(cat $REL_DATA/admin-token)" $(url scim-edge)/admin/v1/tenants/dev

Press Ctrl-C to stop.
EOF

# Wait until a signal arrives (the traps stop everything) or a service dies on its own.
while true; do
  wait -n "${PID[@]}" || true
  for name in "${SERVICES[@]}"; do
    kill -0 "${PID[$name]}" 2>/dev/null || fail_with_log "$name stopped unexpectedly" "$name"
  done
done
