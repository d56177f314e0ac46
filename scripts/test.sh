#!/usr/bin/env bash
# Runs every test: builds the solution (warnings are errors), starts a private PostgreSQL on loopback,
# runs all test projects against SQLite and PostgreSQL, and prints one closing line "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

# Assigned first, exported after: `export X="$(cmd)"` takes export's status, not cmd's, so `set -e` would run the
# whole suite against no server when PostgreSQL fails to start.
SCIM_TEST_POSTGRES="$(scripts/postgres.sh start)"
export SCIM_TEST_POSTGRES
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build Microservices.sln -c Release -nologo -clp:ErrorsOnly

log=$(mktemp)
set +e
dotnet test Microservices.sln -c Release --no-build --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# dotnet test prints one summary per test assembly; add them up into the one line CI reads.
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "$passed passed, $failed failed, $skipped skipped"
if [[ $status -ne 0 || $failed -ne 0 || $passed -eq 0 ]]; then
  exit 1
fi
