#!/usr/bin/env bash
# The GPU speed check, in one go, for a machine with a real GPU (issue: speed). Prints:
#  - the generator alone on burn-wgpu, U-Net 256 ngf 64, at 256² and 512² (autotune warmed by a
#    first pass), beside the CPU path;
#  - the whole frame (upload, WGSL look into the generator's tensor, generator, smoothing, output
#    packed into a texture and read back) with `lts render --device gpu`, beside `--device cpu`.
# The ngf-64 package is made by `lts train` for one step on generated images: the timing does not
# depend on what the weights learned. Needs no display.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/learning-to-see/target}"
scripts/setup.sh
cargo build --release --bin lts
lts="$CARGO_TARGET_DIR/release/lts"
work="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$work/data" "$work/models" "$work/presets"
/usr/bin/python3 scripts/make-cosmos.py "$work/data" 4 7 >/dev/null

for size in 256 512; do
  echo "## Generator, U-Net ${size}, ngf 64, batch 1"
  "$lts" bench generator --backend wgpu --ngf 64 --size "$size" --runs 3 >/dev/null  # autotune
  "$lts" bench generator --backend wgpu,cpu --ngf 64 --size "$size" --runs 20
done

echo "## Whole frame, U-Net 256 ngf 64 (synthetic 1280x720 source)"
"$lts" train --data "$work/data" --name gpu64 --size 256 --ngf 64 --ndf 64 --batch 1 --steps 1 \
  --runs "$work/runs" --models "$work/models" --presets "$work/presets" >/dev/null
for device in gpu cpu; do
  frames=300; [ "$device" = cpu ] && frames=30
  echo "### --device $device"
  "$lts" render --device "$device" --preset gpu64 --frames "$frames" --out "$work/render-$device" \
    --presets "$work/presets" --models "$work/models" 2>&1 | grep -E "generator on|frames in|stages"
done
