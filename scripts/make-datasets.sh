#!/usr/bin/env bash
# Builds the datasets the shipped models are trained on. The app never downloads anything; the
# nebula set is cut from a Debian package that scripts/make-nebula.sh fetches with apt-get download.
#   datasets/fire           600 procedural flames (scripts/make-fire.py, seed 1)
#   datasets/fire-heldout    40 more with another seed, never trained on
#   datasets/cosmos         600 procedural nebulae and star fields (scripts/make-cosmos.py, seed 1)
#   datasets/cosmos-heldout  40 more with another seed, never trained on
#   datasets/nebula         nebula photographs from Stellarium's textures (scripts/make-nebula.sh,
#                           Debian stellarium-data 0.22.2-1; credits in datasets/nebula/CREDITS.txt)
#   datasets/nebula-heldout  40 squares from photographs (and sky regions) never trained on
set -euo pipefail
cd "$(dirname "$0")/.."
python=/usr/bin/python3
$python -c "import numpy, PIL" 2>/dev/null || {
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-numpy python3-pil
}
$python scripts/make-fire.py datasets/fire 600 1
$python scripts/make-fire.py datasets/fire-heldout 40 2
$python scripts/make-cosmos.py datasets/cosmos 600 1
$python scripts/make-cosmos.py datasets/cosmos-heldout 40 2
scripts/make-nebula.sh
echo "datasets/fire: $(ls datasets/fire | wc -l) images; datasets/fire-heldout: $(ls datasets/fire-heldout | wc -l)"
echo "datasets/cosmos: $(ls datasets/cosmos | wc -l) images; datasets/cosmos-heldout: $(ls datasets/cosmos-heldout | wc -l)"
echo "datasets/nebula: $(ls datasets/nebula/*.png | wc -l) images; datasets/nebula-heldout: $(ls datasets/nebula-heldout/*.png | wc -l)"
