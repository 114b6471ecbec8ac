#!/usr/bin/env bash
# The desktop app's benchmarks of issue 4 (src-tauri/tests/e2e/bench.rs) on a
# release build of the app, the build users run: generates the big clinic in
# a fresh clinic_test_<uuid> database, syncs it, measures, prints every
# sample. Takes about 10 minutes. Not part of any test run.
#
#   CARGO_TARGET_DIR=...                 the tests' (debug) build, as always
#   CLINIC_BENCH_TARGET_DIR=... optional where the release app is built
#                                        (default: CARGO_TARGET_DIR)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
: "${CARGO_TARGET_DIR:?export CARGO_TARGET_DIR first}"
release_dir="${CLINIC_BENCH_TARGET_DIR:-$CARGO_TARGET_DIR}"

(cd ui && npm run build)                 # the app embeds ui/dist
CARGO_TARGET_DIR="$release_dir" cargo build --release -p clinic-desk
cargo build -p sync-server
CLINIC_E2E_APP="$release_dir/release/clinic-desk" \
  cargo test -p clinic-desk --test e2e -- --ignored --nocapture ui_benchmarks
