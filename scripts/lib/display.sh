# shellcheck shell=bash
# Gives the desktop window a display: the user's, or a private Xvfb when there
# is none (servers, CI). Needs common.sh.

XVFB_PID=""

ensure_display() {
  if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
    info "using display ${DISPLAY:-$WAYLAND_DISPLAY}"
    return 0
  fi
  command -v Xvfb >/dev/null 2>&1 || ensure_apt_packages xvfb
  local n=99
  while [[ -e "/tmp/.X$n-lock" || -e "/tmp/.X11-unix/X$n" ]]; do
    n=$((n + 1))
  done
  mkdir -p "$RUN_DIR"
  Xvfb ":$n" -screen 0 1440x900x24 -nolisten tcp >"$RUN_DIR/xvfb.log" 2>&1 &
  XVFB_PID=$!
  local _
  for _ in $(seq 1 50); do
    [[ -e "/tmp/.X11-unix/X$n" ]] && break
    kill -0 "$XVFB_PID" 2>/dev/null || die "Xvfb did not start; see $RUN_DIR/xvfb.log"
    sleep 0.1
  done
  export DISPLAY=":$n"
  info "no DISPLAY set: started Xvfb on :$n (pid $XVFB_PID); the window is off-screen"
  info "to look at it: DISPLAY=:$n import -window root shot.png  (Debian package imagemagick)"
}

# Stops the Xvfb that ensure_display started, if any.
stop_display() {
  if [[ -n "$XVFB_PID" ]]; then
    kill "$XVFB_PID" 2>/dev/null || true
    wait "$XVFB_PID" 2>/dev/null || true
    XVFB_PID=""
  fi
}
