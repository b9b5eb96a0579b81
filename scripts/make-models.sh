#!/usr/bin/env bash
# Trains the shipped models with `lts train` on the datasets scripts/make-datasets.sh builds.
# CPU-only machines: small networks at 128² (they play at 128² and are upscaled on screen).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d datasets/fire ] && [ -d datasets/cosmos ] || scripts/make-datasets.sh
cargo build --release --bin lts
lts="${CARGO_TARGET_DIR:-target}/release/lts"
"$lts" train --data datasets/fire --name fire --flip h --epochs "${FIRE_EPOCHS:-20}" \
  --size 128 --ngf 16 --ndf 16 --batch 8 --downscale 12 --checkpoint-every 100 --runs runs
"$lts" evaluate --model models/fire --heldout datasets/fire-heldout --train-data datasets/fire
"$lts" train --data datasets/cosmos --name cosmos --flip hv --epochs "${COSMOS_EPOCHS:-24}" \
  --size 128 --ngf 16 --ndf 16 --batch 8 --downscale 12 --checkpoint-every 100 --runs runs
"$lts" evaluate --model models/cosmos --heldout datasets/cosmos-heldout --train-data datasets/cosmos
cp presets/fire.toml presets/default.toml
sed -i 's/^name = "fire"/name = "default"/' presets/default.toml
mkdir -p docs/samples
cp runs/fire/samples_latest.png docs/samples/fire.png
cp runs/fire/losses.png docs/samples/fire-losses.png
cp runs/cosmos/samples_latest.png docs/samples/cosmos.png
cp runs/cosmos/losses.png docs/samples/cosmos-losses.png
