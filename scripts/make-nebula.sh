#!/usr/bin/env bash
# Builds the `nebula` dataset from the nebula photographs Stellarium ships in Debian's
# `stellarium-data` package (nothing is installed; no root needed once apt's lists are there).
#   datasets/cache/stellarium-data/   the .deb (apt-get download, ~246 MB) and the extracted textures
#   datasets/NAME/                    training squares (PNG) + CREDITS.txt, MANIFEST.tsv (NAME: nebula)
#   datasets/NAME-heldout/            40 squares from sources (and sky regions) never trained on
# Options:
#   --name NAME  dataset name (default nebula)
#   --fixtures   also (re)write tests/fixtures/heldout/NAME: 12 of the held-out squares (JPEG, 256 px)
#   --seed N     crop/split seed (default 1)
#   --sheet      also write docs/datasets/NAME.jpg, a contact sheet of 48 training squares
#   --learnable  shorthand for `--colour palette --starless 5 --stretch 0.3`: the photographs'
#                structure with colours that follow brightness (see scripts/make-nebula.py)
# Any further options go to scripts/make-nebula.py (see its --help).
set -euo pipefail
cd "$(dirname "$0")/.."

package=stellarium-data
version=0.22.2-1
cache=datasets/cache/$package
root=$cache/root
nebulae=$root/usr/share/stellarium/nebulae/default
docs=$root/usr/share/doc/$package
python=/usr/bin/python3

name=nebula
fixtures=0
sheet=0
seed=1
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --name) name="$2"; shift ;;
    --fixtures) fixtures=1 ;;
    --sheet) sheet=1 ;;
    --seed) seed="$2"; shift ;;
    --learnable) extra+=(--colour palette --starless 5 --stretch 0.3) ;;
    *) extra+=("$1") ;;
  esac
  shift
done

$python -c "import numpy, PIL" 2>/dev/null || {
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-numpy python3-pil
}

mkdir -p "$cache"
deb=$(ls "$cache"/${package}_*_all.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
  echo "downloading $package (about 246 MB) into $cache"
  # apt-get download writes into the current directory; as root it warns that the _apt user
  # cannot write there (harmless).
  (cd "$cache" && apt-get download "$package=$version" 2>/dev/null || apt-get download "$package")
  deb=$(ls "$cache"/${package}_*_all.deb | head -n 1)
fi
got=$(dpkg-deb -f "$deb" Version)
[ "$got" = "$version" ] || echo "note: $deb is version $got; the dataset was designed on $version" >&2

# The extracted files keep the package's dates, so a stamp written after extracting tells whether
# the .deb changed since.
stamp=$root/.extracted
if [ ! -f "$stamp" ] || [ ! -f "$nebulae/textures.json" ] || [ "$deb" -nt "$stamp" ]; then
  echo "extracting the nebula textures and the licence files from $deb"
  rm -rf "$root"
  mkdir -p "$root"
  # What `dpkg-deb -x` would write, limited to the two folders used (111 MB instead of 376 MB).
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$root" \
    ./usr/share/stellarium/nebulae/default ./usr/share/doc/$package
  touch "$stamp"
fi

train=datasets/$name
heldout=datasets/$name-heldout
rm -rf "$train" "$heldout"
$python scripts/make-nebula.py "$nebulae" "$docs" "$train" "$heldout" --seed "$seed" ${extra[@]+"${extra[@]}"}

if [ "$fixtures" = 1 ]; then
  out=tests/fixtures/heldout/$name
  rm -rf "$out"
  mkdir -p "$out"
  # 12 held-out squares as JPEGs (quality 92, full size: the shipped models run at 256²): from public-domain, then
  # CC BY, then free-use photographs (no share-alike or unstated licences in the repository),
  # one source after another so that as many objects as possible are represented.
  $python - "$heldout" "$out" <<'EOF'
import csv, os, re, sys
from PIL import Image
heldout, out = sys.argv[1], sys.argv[2]
def rank(licence):
    if licence.startswith("public domain"):
        return 0
    if re.match(r"CC BY \d", licence):
        return 1
    return 2 if licence.startswith("free use") else None
rows = list(csv.DictReader(open(os.path.join(heldout, "MANIFEST.tsv"), encoding="utf-8"), delimiter="\t"))
queues = {}
for row in sorted(rows, key=lambda r: (rank(r["licence"]) if rank(r["licence"]) is not None else 9, r["file"])):
    if rank(row["licence"]) is not None:
        queues.setdefault(row["texture"], []).append(row["file"])
files = []
while len(files) < 12 and any(queues.values()):
    for queue in queues.values():
        if queue and len(files) < 12:
            files.append(queue.pop(0))
if len(files) < 10:
    sys.exit(f"only {len(files)} held-out squares come from public-domain, CC BY or free-use photographs")
files.sort()
for name in files:
    Image.open(os.path.join(heldout, name)).convert("RGB").save(os.path.join(out, name[:-4] + ".jpg"), quality=92)
# The held-out credits, cut down to the sources of these files.
lines = open(os.path.join(heldout, "CREDITS.txt"), encoding="utf-8").read().split("\n")
keep, i = [], 0
while i < len(lines):
    block = i + 2 < len(lines) and lines[i + 1].startswith("    licence: ") \
        and lines[i + 2].startswith("    files: ")
    if not block:
        keep.append(lines[i])
        i += 1
        continue
    block = lines[i:i + 3]
    used = [f for f in block[2][len("    files: "):].split(", ") if f in files]
    if used:
        keep += block[:2] + ["    files: " + ", ".join(f[:-4] + ".jpg" for f in used)]
    i += 3
if "Sources by stated licence:" in keep:
    counts = {}
    for line in keep:
        if line.startswith("    licence: "):
            counts[line[len("    licence: "):]] = counts.get(line[len("    licence: "):], 0) + 1
    at = keep.index("Sources by stated licence:") + 1
    end = at
    while end < len(keep) and keep[end].startswith("    "):
        end += 1
    keep[at:end] = [f"    {n:3d}  {licence}" for licence, n in sorted(counts.items(), key=lambda kv: -kv[1])]
with open(os.path.join(out, "CREDITS.txt"), "w", encoding="utf-8") as credits:
    credits.write(f"JPEG copies (quality 92, 256 px) of {len(files)} of the squares in {heldout}.\n\n" + "\n".join(keep))
EOF
  echo "$out: $(ls "$out"/*.png | wc -l) images, $(du -sh "$out" | cut -f1)"
fi
if [ "$sheet" = 1 ]; then
  $python -c "import sys; sys.path.insert(0, 'scripts'); from photo_dataset import contact_sheet; \
print(contact_sheet(sys.argv[1], sys.argv[2]))" "$train" "docs/datasets/$name.jpg"
fi
du -sh "$train" "$heldout" "$cache"
