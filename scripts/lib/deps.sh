# shellcheck shell=bash
# Installs what building, running and testing Clinic Desk needs, and only what
# is missing: safe to run again and again. Needs common.sh.

# Tauri 2 on Debian, plus what headless runs and the end-to-end tests need:
# Xvfb (a display), WebKitWebDriver (webkit2gtk-driver), a D-Bus session with
# an unlockable keyring (dbus, gnome-keyring) and python3-dbus for the fake
# notification server the tests listen with.
SYSTEM_PACKAGES=(
  build-essential pkg-config file curl
  libwebkit2gtk-4.1-dev libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev
  webkit2gtk-driver xvfb dbus gnome-keyring python3-dbus python3-gi
)
# tauri-driver bridges WebDriver clients to WebKitWebDriver for the Tauri app.
# 2.x is the stable line (3.0 is in alpha).
TAURI_DRIVER_VERSION=2.1.0
# Vite 7 needs Node.js ^20.19 or >=22.12.
NODE_MIN_MAJOR=20
NODE_MIN_MINOR=19
# Used when the system's Node.js is older: an official Node.js build shipped as
# an npm package, installed from the npm registry into the cache.
NODE_FALLBACK_VERSION=22
NODE_FALLBACK_DIR="$HOME/.cache/clinic-desk/node"

APT_UPDATED=0

deb_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]
}

# apt-get installs the given Debian packages that are not installed yet.
ensure_apt_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    deb_installed "$pkg" || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  info "installing Debian packages: ${missing[*]}"
  if ((APT_UPDATED == 0)); then
    as_root apt-get update -q
    APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}

ensure_system_deps() {
  ensure_apt_packages "${SYSTEM_PACKAGES[@]}"
  info "system packages: ok"
}

ensure_rust() {
  if ! command -v cargo >/dev/null 2>&1 && [[ -x "$HOME/.cargo/bin/cargo" ]]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  command -v cargo >/dev/null 2>&1 ||
    die "Rust is not installed. Install it with rustup (Rust >= 1.90), then run this again."
  local component
  for component in rustfmt clippy; do
    if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
      command -v rustup >/dev/null 2>&1 || die "cargo $component is missing and rustup is not installed"
      info "adding Rust component $component"
      rustup component add "$component"
    fi
  done
  info "$(cargo --version)"
}

node_is_recent() {
  local version major minor
  version="$(node --version 2>/dev/null)" || return 1
  version="${version#v}"
  major="${version%%.*}"
  minor="${version#*.}"
  minor="${minor%%.*}"
  ((major > NODE_MIN_MAJOR || (major == NODE_MIN_MAJOR && minor >= NODE_MIN_MINOR)))
}

ensure_node() {
  if [[ -x "$NODE_FALLBACK_DIR/bin/node" ]]; then
    export PATH="$NODE_FALLBACK_DIR/bin:$PATH"
  fi
  command -v node >/dev/null 2>&1 || ensure_apt_packages nodejs
  command -v npm >/dev/null 2>&1 || ensure_apt_packages npm
  if ! node_is_recent; then
    local arch
    case "$(uname -m)" in
      x86_64) arch=x64 ;;
      aarch64) arch=arm64 ;;
      *) die "Node.js >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR is needed; found $(node --version)" ;;
    esac
    info "Node.js $(node --version) is too old for Vite; installing Node.js $NODE_FALLBACK_VERSION from the npm registry"
    npm install --no-save --no-audit --no-fund --prefix "$NODE_FALLBACK_DIR/pkg" \
      "node-linux-$arch@$NODE_FALLBACK_VERSION"
    mkdir -p "$NODE_FALLBACK_DIR/bin"
    ln -sfn "$NODE_FALLBACK_DIR/pkg/node_modules/node-linux-$arch/bin/node" "$NODE_FALLBACK_DIR/bin/node"
    export PATH="$NODE_FALLBACK_DIR/bin:$PATH"
    node_is_recent || die "Node.js is still too old: $(node --version)"
  fi
  info "node $(node --version), npm $(npm --version 2>/dev/null)"
}

# tauri-driver into cargo's bin folder (kept across runs and clones), only when
# that exact version is not there yet. Built without the project's
# CARGO_TARGET_DIR, so cargo uses a temporary folder it deletes afterwards.
ensure_tauri_driver() {
  local bin="${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver"
  if [[ -x "$bin" ]] && cargo install --list | grep -qx "tauri-driver v$TAURI_DRIVER_VERSION:"; then
    info "tauri-driver $TAURI_DRIVER_VERSION: ok"
    return 0
  fi
  info "installing tauri-driver $TAURI_DRIVER_VERSION (cargo install, about a minute)"
  env -u CARGO_TARGET_DIR cargo install tauri-driver --version "=$TAURI_DRIVER_VERSION" --locked
}

# npm ci in ui/, only when node_modules is missing or older than the lock file.
ensure_ui_deps() {
  local stamp="$REPO/ui/node_modules/.package-lock.json"
  if [[ -f "$stamp" && ! "$REPO/ui/package-lock.json" -nt "$stamp" ]]; then
    info "ui/node_modules: up to date"
    return 0
  fi
  info "installing UI packages (npm ci)"
  (cd "$REPO/ui" && npm ci --no-audit --no-fund)
}

# Everything both run-app.sh and test.sh need before building.
ensure_dev_deps() {
  ensure_system_deps
  ensure_rust
  ensure_tauri_driver
  ensure_node
  ensure_ui_deps
}
