#!/usr/bin/env bash
# Every test: installs what is missing, checks formatting, builds everything, runs the tests
# (windows under Xvfb, wgpu on Mesa's software Vulkan when there is no GPU).
set -euo pipefail
cd "$(dirname "$0")/.."
LTS_TEST_PACKAGES=1 scripts/setup.sh
if rustup component list --installed 2>/dev/null | grep -q rustfmt; then
  cargo fmt --all -- --check
fi
cargo build --release --all-targets
export WGPU_BACKEND="${WGPU_BACKEND:-vulkan}"
xvfb-run -a -s "-screen 0 1280x720x24" cargo test --release --all-targets -- --test-threads=2
# The live show for three minutes under OSC traffic, preset switches and model reloads:
# memory, threads and open files must stay flat and no frame may take a second.
scripts/soak.sh --minutes 3
