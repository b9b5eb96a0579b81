#!/usr/bin/env bash
# Speed tables, ours beside the references, in one go on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin lts
lts=target/release/lts
echo "## Generator (U-Net 256, batch 1)"
$lts bench generator --backend flex --ngf 16,32,64
$lts bench generator --backend ndarray --ngf 16 --runs 3
echo "## Look (1920x1080 -> 256², downscale 24)"
$lts bench look --image tests/fixtures/images/wide.jpg
/usr/bin/python3 benches/look_opencv.py tests/fixtures/images/wide.jpg
