#!/usr/bin/env bash
# Builds the `sea` dataset: waves, surf, rocks in the sea and calm water, cut from the landscape
# photographs of Debian `endless-sky-high-dpi` (~136 MB), fetched with apt-get download (nothing is
# installed; no root needed once apt's lists are there).
#   datasets/cache/PACKAGE/   the .deb and the extracted photographs (reused by later runs)
#   datasets/sea/             256x256 training squares (PNG), MANIFEST.tsv, CREDITS.txt
#   datasets/sea-heldout/     squares from whole photographs never trained on
# Options (scripts/make-sea.py --help lists them all):
#   --fixtures      also (re)write tests/fixtures/heldout/sea: 12 held-out squares (JPEG, 256 px)
#   --sheet [PATH]  also write a contact sheet of 48 training squares (docs/datasets/sea.jpg)
#   --seed N        crops and held-out split (default 1)
#   --out DIR       where the training squares go (held-out ones: DIR-heldout)
set -euo pipefail
cd "$(dirname "$0")/.."
python=/usr/bin/python3
$python -c "import numpy, PIL" 2>/dev/null || {
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-numpy python3-pil
}
exec $python scripts/make-sea.py "$@"
