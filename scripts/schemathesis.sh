#!/usr/bin/env bash
# Fuzzes the API from its own OpenAPI document with schemathesis: starts a
# sync server on a free loopback port against a fresh database holding the
# demo clinic, signs in as each of the clinic's roles, and for each runs
# schemathesis with a fixed seed and a bounded number of cases per operation.
# Checks: no server error, every status documented, every response matching
# its schema, and every schema-valid request accepted (where acceptance
# depends on the clinic's data, a refusal must name a field the schema cannot
# constrain: see scripts/lib/schemathesis_hooks.py). Exits non-zero on any
# failure; stops the server and drops the database it made.
#
#   SCHEMATHESIS_EXAMPLES  cases per operation and role (default 25)
#   SCHEMATHESIS_SEED      the seed (default 20261121)
set -euo pipefail

LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib"
# shellcheck source=lib/common.sh
source "$LIB/common.sh"
# shellcheck source=lib/deps.sh
source "$LIB/deps.sh"
# shellcheck source=lib/postgres.sh
source "$LIB/postgres.sh"
# shellcheck source=lib/server.sh
source "$LIB/server.sh"
# shellcheck source=lib/schemathesis.sh
source "$LIB/schemathesis.sh"

EXAMPLES="${SCHEMATHESIS_EXAMPLES:-25}"
SEED="${SCHEMATHESIS_SEED:-20261121}"
# This run's own server: its own pid file and log, so it never touches a
# server run-app.sh started.
SERVER_PID_FILE="$RUN_DIR/schemathesis-server.pid"
SERVER_LOG="$RUN_DIR/schemathesis-server.log"
REPORT_DIR="$RUN_DIR/schemathesis"
DB_NAME="clinic_schemathesis"
ADMIN_URL=""

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_server
  if [[ -n "$ADMIN_URL" ]]; then
    psql -w -X -q -d "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cd "$REPO"

step "Installing what is missing"
ensure_schemathesis

step "PostgreSQL: a fresh database with the demo clinic"
ensure_postgres
ADMIN_URL="$DATABASE_URL"
psql -w -X -q -d "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null
psql -w -X -q -d "$ADMIN_URL" -c "CREATE DATABASE $DB_NAME" >/dev/null
base=${ADMIN_URL%%\?*}
query=""
[[ "$ADMIN_URL" == *\?* ]] && query="?${ADMIN_URL#*\?}"
export DATABASE_URL="${base%/*}/$DB_NAME$query"

step "Building the sync server"
cargo build -p sync-server

step "Starting the sync server"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export CLINIC_SERVER__BIND="127.0.0.1:$port"
# Schemathesis signs in and signs up with made-up data hundreds of times,
# all from 127.0.0.1: the throttles would answer 429 to nearly all of it and
# hide what those operations do with each request. The throttles have their
# own tests (sync-server/tests/accounts.rs).
export CLINIC_AUTH__MAX_FAILURES_PER_ACCOUNT=1000000
export CLINIC_AUTH__MAX_FAILURES_PER_ADDRESS=1000000
export CLINIC_AUTH__MAX_SIGNUPS_PER_ADDRESS=1000000
export CLINIC_LOG__FILTER=warn
server seed-demo >/dev/null
start_server
base_url="http://$CLINIC_SERVER__BIND"

# sign_in EMAIL: prints a session token of that demo clinic member, and the
# id of the clinic named "Demo Clinic" among their memberships (the runs may
# rename it, so the first one's answer is kept).
sign_in() {
  python3 - "$base_url" "$1" <<'PY'
import json, sys, urllib.request
url, email = sys.argv[1], sys.argv[2]
body = json.dumps({"email": email, "password": "demo-clinic-2026", "device_name": "schemathesis"}).encode()
req = urllib.request.Request(url + "/v1/sessions", body, {"content-type": "application/json"})
granted = json.load(urllib.request.urlopen(req))
demo = [m["clinic_id"] for m in granted["memberships"] if m["clinic_name"] == "Demo Clinic"]
print(granted["token"], demo[0] if demo else "")
PY
}
read -r _ clinic_id < <(sign_in admin@demo-clinic.example)
[[ -n "$clinic_id" ]] || die "the demo clinic was not seeded"

mkdir -p "$REPORT_DIR"
FAILED=()
SUMMARY=()
# The admin goes last: its run may remove the others from the clinic.
for role in reception:reception@demo-clinic.example \
  doctor:dr.garcia@demo-clinic.example \
  worker:radiology@demo-clinic.example \
  admin:admin@demo-clinic.example; do
  name="${role%%:*}"
  email="${role#*:}"
  step "schemathesis as $name ($email)"
  read -r token _ < <(sign_in "$email")
  log="$REPORT_DIR/$name.log"
  # The coverage phase (every boundary of every field) runs as the admin,
  # whose requests get past the permission checks; the other roles' runs
  # fuzz each operation and its links, within the time the run may take.
  phases=examples,fuzzing,stateful workers=2
  # One worker for the coverage phase: with two threads, CPython 3.11's AST
  # constructor trips over itself inside schemathesis ("SystemError: AST
  # constructor recursion depth mismatch"), a crash of the tool, not a finding.
  [[ "$name" == admin ]] && phases=examples,coverage,fuzzing,stateful workers=1
  # Signing out (all sessions, this one, or one by id, which the stateful
  # phase finds in the session list) would end the session the rest of the
  # run uses: those operations run last, on a session of their own.
  status=0
  CLINIC_ID="$clinic_id" SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONPATH="$LIB" \
    "$SCHEMATHESIS" --config-file "$LIB/schemathesis.toml" run "$base_url/openapi.json" \
    --header "Authorization: Bearer $token" \
    --exclude-name-regex '^DELETE /v1/sessions' --phases "$phases" --workers "$workers" \
    --seed "$SEED" --max-examples "$EXAMPLES" --no-color >"$log" 2>&1 || status=$?
  read -r token _ < <(sign_in "$email")
  CLINIC_ID="$clinic_id" SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONPATH="$LIB" \
    "$SCHEMATHESIS" --config-file "$LIB/schemathesis.toml" run "$base_url/openapi.json" \
    --header "Authorization: Bearer $token" \
    --include-name-regex '^DELETE /v1/sessions' \
    --seed "$SEED" --max-examples "$EXAMPLES" --no-color >>"$log" 2>&1 || status=$?
  cases="$(grep -Eo '[0-9]+ generated' "$log" | awk '{n += $1} END {print n + 0}')"
  if ((status == 0)); then
    SUMMARY+=("ok    $name: $cases cases")
  else
    FAILED+=("$name")
    SUMMARY+=("FAIL  $name: $cases cases, see $log")
    grep -E '^(_{3,}|- ST|\[[0-9]{3}\])' "$log" | head -n 60 >&2 || true
  fi
done

step "Summary"
printf '    %s\n' "${SUMMARY[@]}"
((${#FAILED[@]} == 0)) || die "schemathesis found failures as: ${FAILED[*]}"
