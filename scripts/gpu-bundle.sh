#!/usr/bin/env bash
# Packs what scripts/bench-gpu.sh needs on a machine with a GPU but no network (no apt, no
# crates): a stripped, xz-compressed `lts` and the Vulkan/GL loader packages, in one ignored
# folder (default .gpu/, about 25 MB) that travels beside the working tree.
#   scripts/gpu-bundle.sh [DIR]
# Then, there: scripts/bench-gpu.sh --bundle DIR   (no build, no apt)
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-.gpu}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/learning-to-see/target}"
scripts/setup.sh
cargo build --release --bin lts
mkdir -p "$dir"
strip -o "$dir/lts" "$CARGO_TARGET_DIR/release/lts"
xz -T0 -6 -f "$dir/lts"
# The loaders (amd64, whatever this machine is), downloaded without installing anything.
lists=$(mktemp -d)
apt_opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 "-oDir::State::Lists=$lists")
mkdir -p "$lists/partial"
apt-get "${apt_opts[@]}" update -qq
rm -f "$dir"/*.deb
(cd "$dir" && apt-get "${apt_opts[@]}" download -qq libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 2>/dev/null)
rm -rf "$lists"
du -sh "$dir"; ls "$dir"
