#!/usr/bin/env bash
# Speed tables, ours beside the references, in one go on this machine (quiet it first).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/learning-to-see/target}"
cargo build --release --bin lts
lts="$CARGO_TARGET_DIR/release/lts"
for p in python3-torch python3-opencv python3-numpy python3-pil; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="${missing:-} $p"
done
if [ -n "${missing:-}" ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get install -y -qq --no-install-recommends $missing
fi
python3 -c "import onnx, onnxruntime, numpy" 2>/dev/null || python3 -m pip install --quiet onnx onnxruntime numpy

echo "## Generator: ours beside ONNX Runtime (U-Net 256, batch 1, same weights, 2 threads)"
python3 benches/generator_ort.py --lts "$lts" --ngf 16,32,64 --threads 2
echo "## Generator: our CPU kernels beside the same network through Burn Flex, and burn-wgpu (the default adapter; lavapipe without a GPU)"
$lts bench generator --backend cpu,flex --ngf 16,32,64
$lts bench generator --backend wgpu --ngf 16 --runs 3
echo "## Training: lts train beside PyTorch (batch 4, 256²)"
/usr/bin/python3 benches/train_pytorch.py --lts "$lts" --ngf 16,32
echo "## Look (1920x1080 -> 256², downscale 24)"
$lts bench look --image tests/fixtures/images/wide.jpg
/usr/bin/python3 benches/look_opencv.py tests/fixtures/images/wide.jpg
