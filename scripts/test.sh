#!/usr/bin/env bash
# Runs every check of the repository: formatting, lints, Rust tests (against a
# real PostgreSQL), UI type check, UI unit tests and UI build. Installs what is
# missing first. Runs all checks even after a failure, prints a summary, and
# exits non-zero if any check failed.
set -euo pipefail

LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib"
# shellcheck source=lib/common.sh
source "$LIB/common.sh"
# shellcheck source=lib/deps.sh
source "$LIB/deps.sh"
# shellcheck source=lib/postgres.sh
source "$LIB/postgres.sh"

cd "$REPO"

step "Installing what is missing"
ensure_dev_deps

step "PostgreSQL"
ensure_postgres
drop_test_databases

RESULTS=()
PASSED=0
FAILED=0

# check NAME COMMAND...: runs one check, records its outcome, never aborts.
check() {
  local name=$1 started=$SECONDS
  shift
  step "$name"
  if "$@"; then
    PASSED=$((PASSED + 1))
    RESULTS+=("ok    $name ($((SECONDS - started)) s)")
  else
    FAILED=$((FAILED + 1))
    RESULTS+=("FAIL  $name ($((SECONDS - started)) s)")
  fi
}

in_ui() { (cd "$REPO/ui" && "$@"); }

# The UI build comes before the cargo checks: the desktop crate embeds ui/dist.
check "ui: typecheck (tsc --noEmit)" in_ui npm run --silent typecheck
check "ui: unit tests (vitest)" in_ui npm test --silent
check "ui: production build (vite build)" in_ui npm run --silent build
check "cargo fmt --all -- --check" cargo fmt --all -- --check
check "cargo clippy --workspace --all-targets -- -D warnings" \
  cargo clippy --workspace --all-targets -- -D warnings
check "cargo test --workspace" cargo test --workspace
drop_test_databases

step "Summary"
printf '    %s\n' "${RESULTS[@]}"
echo "Checks: $PASSED passed, $FAILED failed"
((FAILED == 0))
