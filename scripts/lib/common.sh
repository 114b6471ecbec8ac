# shellcheck shell=bash
# Sourced first by every script in scripts/: the repository root, build
# defaults, step headers and small helpers.

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck disable=SC2034  # used by the other scripts in lib/
RUN_DIR="$REPO/.run"

# Keep build artefacts outside the clone, so a fresh clone (CI, a second
# checkout) reuses earlier builds instead of compiling Tauri from scratch.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/clinic-desk/target}"
if [[ -n "${CI:-}" ]]; then
  # CI logs are files, not terminals: no colour codes from cargo, vitest or vite.
  export CARGO_TERM_COLOR=never NO_COLOR=1
fi

step() { printf '\n==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
  if is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root for: $* (run as root or install sudo)"
  fi
}

# True when something accepts TCP connections on host:port.
port_open() {
  local host=$1 port=$2
  (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}
