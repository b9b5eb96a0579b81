#!/usr/bin/env bash
# Builds the datasets the shipped models are trained on. The app never downloads anything; the
# photograph sets (nebula, sea, sky) are cut from Debian packages that their scripts fetch with
# apt-get download into datasets/cache/ (about 430 MB of .debs, reused by later runs).
#   datasets/fire           600 procedural flames (scripts/make-fire.py, seed 1)
#   datasets/fire-heldout    40 more with another seed, never trained on
#   datasets/cosmos         600 procedural nebulae and star fields (scripts/make-cosmos.py, seed 1)
#   datasets/cosmos-heldout  40 more with another seed, never trained on
#   datasets/nebula         nebula photographs from Stellarium's textures (scripts/make-nebula.sh,
#                           Debian stellarium-data 0.22.2-1; credits in datasets/nebula/CREDITS.txt)
#   datasets/nebula-heldout  40 squares from photographs (and sky regions) never trained on
#   datasets/sea            the sea: waves, surf, calm water (scripts/make-sea.sh, Debian
#                           endless-sky-high-dpi 0.9.8-1; credits in datasets/sea/CREDITS.txt)
#   datasets/sea-heldout    squares from whole photographs never trained on
#   datasets/sky            clouds, storm skies, sunsets, fog (scripts/make-sky.sh, Debian
#                           endless-sky-high-dpi 0.9.8-1 and mate-backgrounds 1.26.0-1)
#   datasets/sky-heldout    squares from whole photographs never trained on
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
scripts/make-sea.sh
scripts/make-sky.sh
echo "datasets/fire: $(ls datasets/fire | wc -l) images; datasets/fire-heldout: $(ls datasets/fire-heldout | wc -l)"
echo "datasets/cosmos: $(ls datasets/cosmos | wc -l) images; datasets/cosmos-heldout: $(ls datasets/cosmos-heldout | wc -l)"
for name in nebula sea sky; do
  echo "datasets/$name: $(ls datasets/$name/*.png | wc -l) images; datasets/$name-heldout: $(ls datasets/$name-heldout/*.png | wc -l)"
done
