# shellcheck shell=bash
# Schemathesis (PyPI), pinned, in a virtualenv kept outside the clone so runs
# and fresh clones share it. Needs common.sh and deps.sh.

SCHEMATHESIS_VERSION=4.32.5
SCHEMATHESIS_VENV="$HOME/.cache/clinic-desk/schemathesis-$SCHEMATHESIS_VERSION"
SCHEMATHESIS="$SCHEMATHESIS_VENV/bin/st"

# Installs the pinned schemathesis unless that very version is there.
ensure_schemathesis() {
  if [[ -x "$SCHEMATHESIS" ]] && "$SCHEMATHESIS" --version 2>/dev/null | grep -qF "$SCHEMATHESIS_VERSION"; then
    info "schemathesis $SCHEMATHESIS_VERSION: ok"
    return 0
  fi
  command -v python3 >/dev/null 2>&1 || ensure_apt_packages python3
  python3 -m venv --help >/dev/null 2>&1 || ensure_apt_packages python3-venv
  info "installing schemathesis $SCHEMATHESIS_VERSION into $SCHEMATHESIS_VENV"
  rm -rf "$SCHEMATHESIS_VENV"
  python3 -m venv "$SCHEMATHESIS_VENV"
  "$SCHEMATHESIS_VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
}
