#!/usr/bin/env bash
# Trains the shipped models with `lts train` on the datasets the make-*.sh scripts build, then
# evaluates them (held-out targets and everyday photographs) and writes their sample sheets.
#   sea, sky, nebula   photographs from Debian packages (scripts/make-{sea,sky,nebula}.sh):
#                      U-Net 256, ngf 28 (f16: 21 MB), resize-convolution upsampling (no
#                      checkerboard lattice), PatchGAN ndf 32, batch 4, on the CPU trainer
#   fire, cosmos       procedural pictures (scripts/make-datasets.sh), U-Net 128, ngf 16
# On a 2-core machine each takes 20–40 minutes (5–7 img/s; `lts bench train`).
# More steps make better models: continue a run with
#   lts train --data datasets/sea --name sea --resume --steps N
# or, once runs/ is gone, the shipped model itself (a fresh discriminator, all steps counted):
#   lts train --data datasets/sea --name sea --init-from models/sea --steps N --force
# MODELS="sea sky" limits the photograph models trained.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/learning-to-see/target}"
cargo build --release --bin lts
lts="$CARGO_TARGET_DIR/release/lts"

declare -A flip=([sea]=h [sky]=h [nebula]=hv)
declare -A steps=([sea]=3000 [sky]=2500 [nebula]=2500)
for name in ${MODELS:-sea sky nebula}; do
  [ -d "datasets/$name" ] || "scripts/make-$name.sh"
  "$lts" train --data "datasets/$name" --name "$name" --flip "${flip[$name]}" --size 256 --ngf 28 \
    --ndf 32 --batch 4 --steps "${steps[$name]}" --upsample resize --checkpoint-every 250 \
    --runs runs --force
  "$lts" evaluate --model "models/$name" --heldout "datasets/$name-heldout" \
    --train-data "datasets/$name" --everyday tests/fixtures/everyday --synthetic-frames 4 \
    --sheets docs/samples
  cp "runs/$name/losses.svg" "docs/samples/$name-losses.svg"
done

if [ -n "${PROCEDURAL:-}" ]; then
  [ -d datasets/fire ] && [ -d datasets/cosmos ] || scripts/make-datasets.sh
  "$lts" train --data datasets/fire --name fire --flip h --epochs "${FIRE_EPOCHS:-20}" \
    --size 128 --ngf 16 --ndf 16 --batch 8 --downscale 12 --checkpoint-every 100 --runs runs --force
  "$lts" evaluate --model models/fire --heldout datasets/fire-heldout --train-data datasets/fire
  "$lts" train --data datasets/cosmos --name cosmos --flip hv --epochs "${COSMOS_EPOCHS:-24}" \
    --size 128 --ngf 16 --ndf 16 --batch 8 --downscale 12 --checkpoint-every 100 --runs runs --force
  "$lts" evaluate --model models/cosmos --heldout datasets/cosmos-heldout --train-data datasets/cosmos
fi
