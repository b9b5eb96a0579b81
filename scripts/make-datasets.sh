#!/usr/bin/env bash
# Builds the offline datasets the shipped models are trained on (no downloads).
#   datasets/fire          600 procedural flames (scripts/make-fire.py, seed 1)
#   datasets/fire-heldout   40 more with another seed, never trained on
#   datasets/nebula        500 procedural gas clouds and stars (scripts/make-nebula.py, seed 1)
#   datasets/nebula-heldout 40 more, seed 2
set -euo pipefail
cd "$(dirname "$0")/.."
python=/usr/bin/python3
$python -c "import numpy, PIL" 2>/dev/null || {
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-numpy python3-pil
}
$python scripts/make-fire.py datasets/fire 600 1
$python scripts/make-fire.py datasets/fire-heldout 40 2
$python scripts/make-nebula.py datasets/nebula 500 1
$python scripts/make-nebula.py datasets/nebula-heldout 40 2
echo "datasets/fire: $(ls datasets/fire | wc -l) images; datasets/fire-heldout: $(ls datasets/fire-heldout | wc -l)"
