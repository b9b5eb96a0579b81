#!/usr/bin/env bash
# The live show on the default preset: installs what is missing, builds, plays.
# Extra arguments go to `lts live` (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release --bin lts
exec "${CARGO_TARGET_DIR:-target}/release/lts" live "$@"
