#!/usr/bin/env bash
# Smoke test of local mode (./start.sh), for CI and for anyone changing start.sh. Runs start.sh twice in a scratch
# data folder on spare ports (SMOKE_PORT_BASE, default 15100..15103) and checks what a developer relies on:
# the first run builds, starts all four services and creates tenant dev, its API key and the HQ org unit; tokens and
# the key are kept with mode 0600; the SCIM and admin APIs answer with and without credentials; no secret reaches a
# log (services run at Debug level) or a service's command line; SIGTERM stops every service; the second run reuses
# tokens, key and data.
# Prints "smoke-local: ok" at the end, or the first failure with start.sh's output, and exits non-zero.
# It runs on SQLite only: with SCIM_POSTGRES it would share (and could clobber) a developer's scim_* databases.
set -euo pipefail
cd "$(dirname "$0")/.."
unset SCIM_POSTGRES SCIM_DATA_DIR

BASE="${SMOKE_PORT_BASE:-15100}"
export SCIM_EDGE_PORT=$BASE SCIM_USERS_PORT=$((BASE + 1)) SCIM_ROLES_PORT=$((BASE + 2)) SCIM_ORGUNITS_PORT=$((BASE + 3))
EDGE="http://127.0.0.1:$SCIM_EDGE_PORT"
DATA="$(mktemp -d "${TMPDIR:-/tmp}/scim-smoke.XXXXXX")"
OUT="$DATA/start.out"
START_PID=""
STARTED_AT=$SECONDS

cleanup() {
  if [[ -n "$START_PID" ]] && kill -0 "$START_PID" 2>/dev/null; then
    kill -TERM "$START_PID" 2>/dev/null || true
    wait "$START_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA"
}
trap cleanup EXIT

fail() {
  echo "smoke-local: FAILED: $*" >&2
  echo "--- start.sh output:" >&2
  cat "$OUT" >&2 || true
  exit 1
}

pass() { echo "  ok  $*"; }

# GET with an optional Authorization value (read from a file so no secret is on a command line); prints
# "<status> <content type>" and leaves the body in $DATA/body.
get() { # url [authorization-file-with-header]
  local auth=()
  [[ $# -ge 2 ]] && auth=(-H "@$2")
  curl -sS -o "$DATA/body" -D "$DATA/headers" -w '%{http_code} %{content_type}' "${auth[@]}" "$1" || echo "000 -"
}

header_file() { # name secret-file -> a header file "Authorization: Bearer <secret>" (0600)
  (umask 077 && printf 'Authorization: Bearer %s\n' "$(cat "$2")" >"$DATA/$1")
  echo "$DATA/$1"
}

ports_closed() {
  local port
  for port in "$SCIM_EDGE_PORT" "$SCIM_USERS_PORT" "$SCIM_ROLES_PORT" "$SCIM_ORGUNITS_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 1; fi
  done
}

start() {
  ports_closed || fail "ports $BASE..$((BASE + 3)) are in use; set SMOKE_PORT_BASE"
  : >"$OUT"
  # Debug logging everywhere makes the no-secrets-in-logs check meaningful.
  env Logging__LogLevel__Default=Debug Logging__LogLevel__Microsoft.AspNetCore=Debug \
    ./start.sh --data-dir "$DATA" "$@" >"$OUT" 2>&1 &
  START_PID=$!
  local deadline=$((SECONDS + ${SMOKE_TIMEOUT:-400}))
  until grep -q 'Press Ctrl-C to stop.' "$OUT"; do
    kill -0 "$START_PID" 2>/dev/null || fail "start.sh exited before it was ready"
    ((SECONDS < deadline)) || fail "start.sh was not ready in time"
    sleep 0.5
  done
}

stop() {
  kill -TERM "$START_PID"
  local deadline=$((SECONDS + 40)) status=0
  while kill -0 "$START_PID" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "start.sh did not stop within 40 s of SIGTERM"
    sleep 0.2
  done
  wait "$START_PID" || status=$?
  START_PID=""
  [[ $status -eq 143 ]] || fail "start.sh exited with $status after SIGTERM (expected 143)"
  ports_closed || fail "a service still listens after start.sh stopped"
  pass "SIGTERM stopped start.sh and all four services"
}

# The services' own command lines (what `ps` shows to every user) must not carry a token or the key. start.sh runs
# each service as its direct child (a subshell that execs dotnet), so its children are the four services.
no_secrets_on_command_lines() {
  local pid dll cmdline file seen=()
  for pid in $(cat /proc/"$START_PID"/task/*/children 2>/dev/null); do
    cmdline="$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null)" || continue
    for dll in ScimEdge.Api Users.Api Roles.Api OrgUnits.Api; do
      grep -qF "$dll.dll" <<<"$cmdline" || continue
      seen+=("$dll")
      for file in admin-token internal-token dev-api-key; do
        if grep -qF -- "$(cat "$DATA/$file")" <<<"$cmdline"; then
          fail "the $file appears on the command line of $dll (pid $pid)"
        fi
      done
    done
  done
  [[ ${#seen[@]} -eq 4 ]] || fail "expected the four services as children of start.sh, found: ${seen[*]:-none}"
  pass "no token or key on the command line of any of the four services"
}

no_secrets_in_logs() {
  local file
  for file in admin-token internal-token dev-api-key; do
    if grep -rqF -- "$(cat "$DATA/$file")" "$DATA/logs"; then fail "the $file appears in a service log"; fi
  done
  pass "no token or key in any log"
}

echo "smoke-local: first run (build, start, bootstrap)"
start
for file in admin-token internal-token dev-api-key; do
  [[ -s "$DATA/$file" ]] || fail "$file was not created"
  [[ "$(stat -c %a "$DATA/$file")" == 600 ]] || fail "$file has mode $(stat -c %a "$DATA/$file"), expected 600"
done
pass "tokens and dev key saved with mode 0600"
for log in scim-edge users roles orgunits; do [[ -s "$DATA/logs/$log.log" ]] || fail "no log for $log"; done
pass "a log per service"

ADMIN_AUTH="$(header_file admin.header "$DATA/admin-token")"
KEY_AUTH="$(header_file key.header "$DATA/dev-api-key")"

result="$(get "$EDGE/v1/scim/Users")"
[[ "$result" == "401 application/scim+json"* ]] || fail "SCIM without a key answered '$result'"
grep -qi '^WWW-Authenticate: Bearer realm="scim"' "$DATA/headers" || fail "SCIM 401 without the Bearer challenge"
pass "SCIM without a key: 401 SCIM error with challenge"

result="$(get "$EDGE/v1/scim/Users" "$KEY_AUTH")"
[[ "$result" != 401* && "$result" == *"application/scim+json"* ]] || fail "SCIM with the dev key answered '$result'"
pass "SCIM with the dev key is authenticated ($result)"

result="$(get "$EDGE/admin/v1/tenants/dev")"
[[ "$result" == 401* ]] || fail "admin API without the token answered '$result'"
result="$(get "$EDGE/admin/v1/tenants/dev" "$ADMIN_AUTH")"
[[ "$result" == 200* ]] && grep -q '"id":"dev"' "$DATA/body" || fail "tenant dev: '$result' $(cat "$DATA/body")"
pass "admin API: 401 without the token, tenant dev with it"

result="$(get "$EDGE/admin/v1/tenants/dev/orgunits" "$ADMIN_AUTH")"
[[ "$result" == 200* ]] && grep -q '"externalId":"HQ"' "$DATA/body" || fail "org unit HQ of tenant dev: '$result' $(head -c 300 "$DATA/body")"
pass "org unit Head Office (HQ) exists in orgunits"

no_secrets_in_logs
no_secrets_on_command_lines
stop

echo "smoke-local: second run (--no-build, reuse)"
sha() { sha256sum "$DATA/admin-token" "$DATA/internal-token" "$DATA/dev-api-key" | cut -d' ' -f1 | tr '\n' ' '; }
before="$(sha)"
start --no-build
[[ "$(sha)" == "$before" ]] || fail "the second run changed a token or the dev key"
grep -q 'created' "$OUT" && fail "the second run created data again: $(grep created "$OUT")"
result="$(get "$EDGE/v1/scim/Users" "$KEY_AUTH")"
[[ "$result" != 401* ]] || fail "the dev key stopped working after a restart"
pass "tokens, dev key and data reused"
no_secrets_in_logs
stop

echo "smoke-local: ok ($((SECONDS - STARTED_AT)) s)"
