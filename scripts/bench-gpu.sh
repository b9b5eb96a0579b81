#!/usr/bin/env bash
# The GPU speed check, in one go, for a machine with a real GPU. Prints:
#  - the generator alone on burn-wgpu, U-Net 256 ngf 64, at 256² and 512² (autotune warmed by a
#    first pass), beside the CPU path;
#  - the whole frame (upload, WGSL look into the generator's tensor, generator, smoothing, output
#    packed into a texture and read back) with `lts render --device gpu`, beside `--device cpu`;
#  - a pix2pix training step (U-Net 256 ngf 32, PatchGAN ndf 64, batch 4) on burn-wgpu
#    (`lts bench train --backend wgpu`), beside the CPU trainer.
# The ngf-64 package is made by `lts train` for one step on the everyday test photographs: the
# timing does not depend on what the weights learned. Needs no display.
#   scripts/bench-gpu.sh                  builds lts here (needs the crates and Debian packages)
#   scripts/bench-gpu.sh --bundle .gpu    uses what scripts/gpu-bundle.sh packed: no build, no apt
# BENCH_QUICK=1 shrinks every network and run (a check that the bundle works, e.g. on lavapipe).
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=""
[ "${1:-}" = --bundle ] && bundle="${2:?--bundle takes the folder scripts/gpu-bundle.sh wrote}"
work="${BENCH_DIR:-$(mktemp -d)}"
mkdir -p "$work/models" "$work/presets"

if [ -n "$bundle" ]; then
  if ! ldconfig -p | grep -q libvulkan.so.1; then
    [ "$(id -u)" = 0 ] || { echo "the Vulkan loader is missing and unpacking it needs root" >&2; exit 1; }
    for deb in "$bundle"/*.deb; do dpkg -x "$deb" /; done
    ldconfig
  fi
  xz -dc "$bundle/lts.xz" > "$work/lts"
  chmod +x "$work/lts"
  lts="$work/lts"
else
  export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/learning-to-see/target}"
  scripts/setup.sh
  cargo build --release --bin lts
  lts="$CARGO_TARGET_DIR/release/lts"
fi
echo "lts: $lts; $(nproc) CPUs"
ngf=64; sizes="256 512"; train="--ngf 32 --ndf 64 --size 256"; steps=10; frames=300
if [ -n "${BENCH_QUICK:-}" ]; then
  ngf=8; sizes=64; train="--ngf 8 --ndf 8 --size 64"; steps=2; frames=10
fi
"$lts" bench look --runs 5 | grep -E "WGSL on|CPU"

for size in $sizes; do
  echo "## Generator, U-Net ${size}, ngf $ngf, batch 1"
  "$lts" bench generator --backend wgpu --ngf "$ngf" --size "$size" --runs 3 >/dev/null  # autotune
  "$lts" bench generator --backend wgpu,cpu --ngf "$ngf" --size "$size" --runs 20
done

echo "## Training step ($train, batch 4)"
"$lts" bench train --backend wgpu $train --steps 1 --warmup 1 >/dev/null  # autotune
for backend in wgpu cpu; do
  "$lts" bench train --backend "$backend" $train --steps "$steps" --warmup 1
done

echo "## Whole frame, U-Net 256 ngf $ngf (synthetic 1280x720 source)"
"$lts" train --data tests/fixtures/everyday --name gpu --size 256 --ngf "$ngf" --ndf 8 --batch 1 \
  --steps 1 --runs "$work/runs" --models "$work/models" --presets "$work/presets" >/dev/null
for device in gpu cpu; do
  [ "$device" = cpu ] && frames=$(( frames < 30 ? frames : 30 ))
  echo "### --device $device"
  "$lts" render --device "$device" --preset gpu --frames "$frames" --out "$work/render-$device" \
    --presets "$work/presets" --models "$work/models" 2>&1 | grep -E "generator on|frames in|stages"
done
