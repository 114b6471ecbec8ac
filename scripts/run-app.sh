#!/usr/bin/env bash
# Runs Clinic Desk on this machine: installs what is missing, makes sure
# PostgreSQL is there, migrates and seeds the demo clinic, starts the sync
# server in the background (log: .run/server.log) and opens the desktop window.
# Closing the window stops the server. Safe to run again.
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
# shellcheck source=lib/display.sh
source "$LIB/display.sh"

APP_BIN="$CARGO_TARGET_DIR/debug/clinic-desk"

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_server
  stop_display
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cd "$REPO"

step "Installing what is missing"
ensure_dev_deps

step "PostgreSQL"
ensure_postgres
ensure_app_database

step "Building the UI (ui/dist)"
(cd ui && npm run build)

step "Building the sync server and the desktop app (cargo, target: $CARGO_TARGET_DIR)"
cargo build -p sync-server -p clinic-desk

step "Migrating the database"
server migrate

step "Seeding the demo clinic"
server seed-demo

step "Starting the sync server"
start_server

step "Opening Clinic Desk"
ensure_display
info "close the window (or press Ctrl-C) to stop the app and the sync server"
# The sign-in form starts from the local server (CLINIC_DESK_SERVER).
CLINIC_DESK_SERVER="http://$CLINIC_SERVER__BIND" "$APP_BIN"
