# shellcheck shell=bash
# Runs the sync server binary: migrate, seed, serve in the background, stop.
# Needs common.sh and an exported DATABASE_URL.

export CLINIC_SERVER__BIND="${CLINIC_SERVER__BIND:-127.0.0.1:8080}"
SERVER_BIN="$CARGO_TARGET_DIR/debug/sync-server"
SERVER_LOG="$RUN_DIR/server.log"
SERVER_PID_FILE="$RUN_DIR/server.pid"

server() {
  [[ -x "$SERVER_BIN" ]] || die "$SERVER_BIN is not built (cargo build -p sync-server)"
  "$SERVER_BIN" "$@"
}

# Stops the server this clone started earlier (pid file), if it still runs.
stop_server() {
  [[ -f "$SERVER_PID_FILE" ]] || return 0
  local pid
  pid="$(cat "$SERVER_PID_FILE")"
  # Only ever signal our own server, never a pid reused by something else.
  if [[ -n "$pid" ]] && grep -qa sync-server "/proc/$pid/cmdline" 2>/dev/null; then
    info "stopping the sync server (pid $pid)"
    kill "$pid" 2>/dev/null || true
    local _
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$SERVER_PID_FILE"
}

start_server() {
  local host="${CLINIC_SERVER__BIND%:*}" port="${CLINIC_SERVER__BIND##*:}"
  mkdir -p "$RUN_DIR"
  stop_server
  port_open "$host" "$port" &&
    die "$CLINIC_SERVER__BIND is already in use by another program; stop it or set CLINIC_SERVER__BIND"
  [[ -x "$SERVER_BIN" ]] || die "$SERVER_BIN is not built (cargo build -p sync-server)"

  "$SERVER_BIN" serve >"$SERVER_LOG" 2>&1 &
  local pid=$!
  echo "$pid" >"$SERVER_PID_FILE"

  local _
  for _ in $(seq 1 120); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$SERVER_PID_FILE"
      tail -n 20 "$SERVER_LOG" >&2 || true
      die "the sync server exited at start; full log: $SERVER_LOG"
    fi
    if port_open "$host" "$port"; then
      info "sync server listening on http://$CLINIC_SERVER__BIND (pid $pid, log: $SERVER_LOG)"
      return 0
    fi
    sleep 0.25
  done
  stop_server
  die "the sync server did not listen on $CLINIC_SERVER__BIND within 30 s; see $SERVER_LOG"
}
