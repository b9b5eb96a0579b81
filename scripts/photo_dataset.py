"""Shared pieces of the photograph datasets (make-sea.py, make-sky.py): Debian packages fetched
without installing them, each photograph's licence read from the package's debian/copyright,
seeded square crops of the part of each photograph that shows the subject, a held-out split by
whole photographs, manifests, test fixtures and a contact sheet. numpy and Pillow only.

A subject script lists its photographs (package, path, and the region that shows the subject,
as fractions of the width and height, chosen by eye) and calls `main(subject)`. What it writes,
deterministically for a seed (the defaults as paths relative to the repository root):
  datasets/NAME/           training squares (SIZE x SIZE PNG), MANIFEST.tsv, CREDITS.txt
  datasets/NAME-heldout/   squares from photographs never trained on, MANIFEST.tsv, CREDITS.txt
  tests/fixtures/heldout/NAME/   (--fixtures) a few held-out squares at half size, CREDITS.txt
  docs/datasets/NAME.jpg         (--sheet) 48 random training squares on one sheet
"""
import argparse
import fnmatch
import glob
import math
import os
import re
import shutil
import subprocess
import sys
import zlib
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

Image.MAX_IMAGE_PIXELS = None  # a few wallpapers are larger than Pillow's default guard


@dataclass(frozen=True)
class Package:
    """A Debian package and the folders of it that are extracted (its doc folder always is)."""
    name: str
    version: str  # the version the dataset was designed on; another one is used with a note
    folders: tuple = ()


@dataclass(frozen=True)
class Photo:
    package: Package
    path: str  # inside the package, without a leading ./ or /
    region: tuple = (0.0, 0.0, 1.0, 1.0)  # x0, y0, x1, y1: where the subject is, as fractions
    note: str = ""

    @property
    def key(self):
        stem = os.path.splitext(os.path.basename(self.path))[0]
        return re.sub(r"@2x$", "", stem)


@dataclass(frozen=True)
class Scale:
    fraction: float  # crop side as a fraction of the photograph's shorter side
    count: int  # crops wanted per photograph at this scale
    min_cover: float  # the least fraction of a crop that must lie in the photograph's region

    @property
    def tag(self):
        return f"1of{round(1 / self.fraction)}"

    @property
    def words(self):
        return "the full height" if self.fraction == 1 else f"1/{round(1 / self.fraction)}"


@dataclass
class Subject:
    name: str
    title: str  # one line for CREDITS.txt: what the pictures are
    photos: list
    scales: list
    left_out: dict = field(default_factory=dict)  # photograph -> why it is not used
    how_chosen: str = ""  # a paragraph for CREDITS.txt
    max_iou: float = 0.5  # crops of one photograph and scale overlap at most this much
    train_hint: str = ""


# ---------------------------------------------------------------- fetching

def run(command, **kwargs):
    return subprocess.run(command, check=False, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, **kwargs)


def download(package, directory):
    """apt-get download the pinned version (else the candidate) into `directory`; refreshes apt's
    lists once if the package is unknown (a fresh machine or container has none)."""
    for attempt in range(2):
        for spec in (f"{package.name}={package.version}", package.name):
            # apt-get download writes into the current directory; as root it warns that the
            # _apt user cannot write there (harmless).
            if run(["apt-get", "download", spec], cwd=directory).returncode == 0:
                return
        if attempt == 0:
            print(f"apt-get download {package.name} failed; running apt-get update", file=sys.stderr)
            sudo = [] if os.geteuid() == 0 else ["sudo"]
            run(sudo + ["apt-get", "update", "-qq"])
    sys.exit(f"cannot download the Debian package {package.name} (is this Debian 12 with its main "
             "archive in apt's sources?)")


def fetch(package, cache):
    """The package's .deb in CACHE/NAME/ (downloaded once) and the wanted folders extracted under
    CACHE/NAME/root/ (again only when the .deb or the folders change). Returns the root."""
    directory = os.path.join(cache, package.name)
    os.makedirs(directory, exist_ok=True)
    debs = sorted(glob.glob(os.path.join(directory, f"{package.name}_*.deb")))
    if not debs:
        print(f"downloading {package.name} into {directory}")
        download(package, directory)
        debs = sorted(glob.glob(os.path.join(directory, f"{package.name}_*.deb")))
    deb = debs[-1]
    version = run(["dpkg-deb", "-f", deb, "Version"]).stdout.strip()
    if version != package.version:
        print(f"note: {deb} is version {version}; the dataset was designed on {package.version}",
              file=sys.stderr)
    root = os.path.join(directory, "root")
    folders = list(package.folders) + [f"usr/share/doc/{package.name}"]
    stamp_path = os.path.join(root, ".extracted")
    stamp = "\n".join([os.path.basename(deb)] + folders) + "\n"
    if not (os.path.exists(stamp_path) and open(stamp_path).read() == stamp
            and os.path.getmtime(stamp_path) >= os.path.getmtime(deb)):
        print(f"extracting {', '.join(folders)} from {deb}")
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(root)
        # What `dpkg-deb -x` would write, limited to the folders used.
        dpkg = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
        tar = subprocess.run(["tar", "-x", "-C", root] + ["./" + f for f in folders], stdin=dpkg.stdout)
        dpkg.stdout.close()
        if dpkg.wait() != 0 or tar.returncode != 0:
            sys.exit(f"could not extract {folders} from {deb}")
        with open(stamp_path, "w") as out:
            out.write(stamp)
    return root, version


# ---------------------------------------------------------------- licences

class Copyright:
    """A machine-readable debian/copyright (DEP-5). `lookup(path)` gives the Files paragraph that
    covers a file: the last one with a matching pattern, as the format says."""

    def __init__(self, path):
        self.paragraphs = []
        text = open(path, encoding="utf-8").read()
        for block in re.split(r"\n\s*\n", text):
            fields, name = {}, None
            for line in block.split("\n"):
                if line.startswith((" ", "\t")) and name:
                    fields[name].append(line.strip())
                elif ":" in line:
                    name, value = line.split(":", 1)
                    fields[name] = [value.strip()] if value.strip() else []
            if "Files" in fields:
                self.paragraphs.append({
                    "files": " ".join(fields["Files"]).split(),
                    "copyright": "; ".join(fields.get("Copyright", [])),
                    "licence": (fields.get("License") or [""])[0],
                    # The paragraph's own words on its licence or source (not a licence text).
                    "note": " ".join(fields.get("License", [])[1:] + fields.get("Comment", []))
                            .replace(" (Exceptions noted below.)", ""),
                })

    @staticmethod
    def matches(pattern, path):
        """DEP-5 patterns are relative to the source tree; `path` is where the package installs
        the file, so every tail of it is tried. One refinement: a pattern naming a numbered file,
        `images/land/mountain1*`, is taken to mean mountain1, mountain1@2x, ..., not mountain10:
        endless-sky's copyright lists its public-domain photographs that way, and read literally
        its `mountain1*` would re-license the CC-BY-SA photographs mountain10-sfiera ... 19-harro
        that an earlier paragraph credits."""
        parts = path.split("/")
        for i in range(len(parts)):
            tail = "/".join(parts[i:])
            if fnmatch.fnmatchcase(tail, pattern):
                numbered = re.match(r"(.*\d)\*$", pattern)
                if numbered and re.match(re.escape(numbered.group(1)).replace(r"\*", ".*")
                                         .replace(r"\?", ".") + r"\d", tail):
                    continue
                return True
        return False

    def lookup(self, path):
        found = None
        for paragraph in self.paragraphs:
            if any(self.matches(p, path) for p in paragraph["files"]):
                found = paragraph
        if found is None:
            sys.exit(f"no Files paragraph of the copyright file covers {path}")
        return found


def fixture_friendly(licence):
    """Licences under which squares can sit in this MIT/Apache repository's tests with a credit
    and nothing more: public domain, CC0, CC BY (not share-alike, not GPL)."""
    low = licence.lower()
    return ("public" in low or "cc0" in low or re.fullmatch(r"cc-by-[\d.]+", low) is not None)


# ---------------------------------------------------------------- crops

def region_box(photo, size):
    width, height = size
    x0, y0, x1, y1 = photo.region
    return x0 * width, y0 * height, x1 * width, y1 * height


def overlap(a, b):
    """Area shared by two boxes (x0, y0, x1, y1)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0) * max(h, 0)


def iou(a, b):
    inter = overlap(a, b)
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def crops(photo, size, scales, seed, max_iou):
    """Seeded squares (x0, y0, x1, y1) per scale: uniformly placed, kept when enough of the square
    lies in the photograph's region and it overlaps the squares kept before it little."""
    width, height = size
    short = min(width, height)
    region = region_box(photo, size)
    out = []
    for index, scale in enumerate(scales):
        rng = np.random.default_rng([seed, zlib.crc32(photo.key.encode()), index])
        side = int(round(short * scale.fraction))
        chosen = []
        for _ in range(scale.count * 200):
            if len(chosen) == scale.count:
                break
            x = int(rng.integers(0, width - side + 1))
            y = int(rng.integers(0, height - side + 1))
            box = (x, y, x + side, y + side)
            if overlap(box, region) < scale.min_cover * side * side:
                continue
            if any(iou(box, other) > max_iou for other in chosen):
                continue
            chosen.append(box)
        out += [(scale, box) for box in chosen]
    return out


def render(image, box, size):
    return image.crop(box).resize((size, size), Image.LANCZOS, reducing_gap=3.0)


# ---------------------------------------------------------------- writing

MANIFEST_COLUMNS = ["file", "photograph", "package", "version", "path", "crop_x", "crop_y",
                    "crop_side", "scale", "copyright", "licence", "licence_note"]


def tsv(value):
    return str(value).replace("\t", " ").replace("\n", " ")


def write_manifest(directory, rows):
    with open(os.path.join(directory, "MANIFEST.tsv"), "w", encoding="utf-8") as out:
        out.write("\t".join(MANIFEST_COLUMNS) + "\n")
        for row in rows:
            out.write("\t".join(tsv(row[c]) for c in MANIFEST_COLUMNS) + "\n")


def credit_line(info):
    note = f" ({info['note']})" if info["note"] else ""
    return f"Copyright: {info['copyright']}. Licence: {info['licence']}{note}"


def write_credits(path, subject, args, rows, split, sources, extra=()):
    by_photo = {}
    for row in rows:
        by_photo.setdefault(row["photograph"], []).append(row)
    packages = sorted({(s["package"].name, s["version"]) for s in sources.values()
                       if s["photo"].key in by_photo})
    lines = [
        f"{subject.title}",
        "Photographs from the Debian package(s) " + ", ".join(f"`{n}` {v}" for n, v in packages)
        + " (fetched with `apt-get download`, not installed).",
        f"Cut into {args.size}x{args.size} PNG squares by scripts/make-{subject.name}.py "
        f"(scripts/photo_dataset.py, seed {args.seed}): squares of "
        + ", ".join(s.words for s in subject.scales) + " of a photograph's height (names: _1ofN_),",
        "placed at random where most of the square lies in the part of the photograph that shows "
        "the subject (make-" + subject.name + ".py lists that part for each photograph).",
    ]
    if subject.train_hint:
        lines.append(subject.train_hint)
    lines += list(extra)
    lines += [
        "",
        "Licences are as each package's debian/copyright (usr/share/doc/PACKAGE/copyright) states",
        "them for the photograph; MANIFEST.tsv repeats them per file. Credit the photographers when",
        "showing these images or work made from them; share-alike (CC-BY-SA) photographs ask that",
        "images adapted from them are shared under the same licence.",
        "",
        f"Files in this folder ({split}), by photograph:",
        "",
    ]
    for key in sorted(by_photo, key=natural):
        source = sources[key]
        files = [r["file"] for r in by_photo[key]]
        lines.append(f"{source['photo'].path} ({source['package'].name} {source['version']}): "
                     + credit_line(source["info"]))
        lines.append(f"    {len(files)} files: {', '.join(files)}")
    counts = {}
    for key in by_photo:
        licence = sources[key]["info"]["licence"]
        counts[licence] = counts.get(licence, 0) + 1
    lines += ["", "Photographs by licence:"]
    lines += [f"    {n:3d}  {licence}" for licence, n in sorted(counts.items(), key=lambda kv: -kv[1])]
    if split == "train" and subject.left_out:
        lines += ["", "Photographs looked at and left out:"]
        lines += [f"    {key}: {why}" for key, why in sorted(subject.left_out.items(), key=lambda kv: natural(kv[0]))]
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


def natural(text):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def contact_sheet(directory, out, count=48, columns=8, tile=128, seed=0, max_bytes=300_000):
    """`count` random images of `directory` on a grid, as a JPEG under `max_bytes`."""
    files = sorted(f for f in os.listdir(directory) if f.lower().endswith((".png", ".jpg")))
    rng = np.random.default_rng(seed)
    files = [files[i] for i in rng.choice(len(files), min(count, len(files)), replace=False)]
    rows = (len(files) + columns - 1) // columns
    sheet = Image.new("RGB", (columns * tile, rows * tile))
    for k, name in enumerate(files):
        image = Image.open(os.path.join(directory, name)).convert("RGB")
        sheet.paste(image.resize((tile, tile), Image.LANCZOS), ((k % columns) * tile, (k // columns) * tile))
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    for quality in (88, 84, 80, 75, 70, 60, 50):
        sheet.save(out, quality=quality, optimize=True)
        if os.path.getsize(out) <= max_bytes:
            break
    return out


def fixture_name(file):
    """Fixtures are JPEGs: a tenth of a PNG's size, and what a camera delivers anyway."""
    return os.path.splitext(file)[0] + ".jpg"


def write_fixtures(subject, heldout_dir, rows, sources, out_dir, count):
    """`count` held-out squares at half size from photographs whose licence allows them in the
    repository (see fixture_friendly), spread over photographs and scales, with their credits."""
    usable = [r for r in rows if fixture_friendly(sources[r["photograph"]]["info"]["licence"])]
    by_photo = {}
    for row in usable:
        by_photo.setdefault(row["photograph"], []).append(row)
    picked = []
    queues = [sorted(v, key=lambda r: (r["scale"], natural(r["file"]))) for _, v in sorted(by_photo.items())]
    # Round-robin over photographs; within one, alternate scales.
    for queue in queues:
        by_scale = {}
        for row in queue:
            by_scale.setdefault(row["scale"], []).append(row)
        queue[:] = [r for group in zip_longest(*by_scale.values()) for r in group if r]
    while len(picked) < count and any(queues):
        for queue in queues:
            if queue and len(picked) < count:
                picked.append(queue.pop(0))
    if len(picked) < count:
        sys.exit(f"only {len(picked)} held-out squares come from photographs usable as fixtures")
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    for row in picked:
        image = Image.open(os.path.join(heldout_dir, row["file"])).convert("RGB")
        image.save(os.path.join(out_dir, fixture_name(row["file"])), quality=92)
    lines = [f"JPEG copies (quality 92, full 256 px: the shipped models' size) of {len(picked)} of the "
             f"{subject.name}-heldout squares that scripts/make-{subject.name}.sh --fixtures writes;",
             "photographs never trained on. Only public-domain, CC0 or CC BY photographs are used here.", ""]
    for row in picked:
        source = sources[row["photograph"]]
        lines.append(f"{fixture_name(row['file'])}: crop ({row['crop_x']}, {row['crop_y']}, side {row['crop_side']}) of "
                     f"{source['photo'].path}, Debian {source['package'].name} {source['version']}. "
                     + credit_line(source["info"]))
    with open(os.path.join(out_dir, "CREDITS.txt"), "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    total = sum(os.path.getsize(os.path.join(out_dir, f)) for f in os.listdir(out_dir))
    print(f"{out_dir}: {len(picked)} images, {total / 1024:.0f} KiB")


def zip_longest(*lists):
    longest = max((len(x) for x in lists), default=0)
    return [tuple(x[i] if i < len(x) else None for x in lists) for i in range(longest)]


# ---------------------------------------------------------------- main

def main(subject):
    parser = argparse.ArgumentParser(description=f"Makes the `{subject.name}` dataset: {subject.title}")
    parser.add_argument("--out", default=f"datasets/{subject.name}", help="training squares")
    parser.add_argument("--heldout-out", default=None, help="held-out squares (default: OUT-heldout)")
    parser.add_argument("--cache", default="datasets/cache", help="downloaded .debs and extracted files")
    parser.add_argument("--seed", type=int, default=1, help="crops and held-out split")
    parser.add_argument("--size", type=int, default=256, help="side of the written squares")
    parser.add_argument("--heldout-fraction", type=float, default=0.12,
                        help="photographs held out whole (at least this fraction)")
    parser.add_argument("--min-heldout", type=int, default=40, help="held-out squares, at least")
    parser.add_argument("--fixtures", action="store_true",
                        help=f"also (re)write tests/fixtures/heldout/{subject.name}")
    parser.add_argument("--fixture-count", type=int, default=12)
    parser.add_argument("--sheet", nargs="?", const=f"docs/datasets/{subject.name}.jpg", default=None,
                        help=f"also write a contact sheet of 48 training squares "
                             f"(default path docs/datasets/{subject.name}.jpg)")
    args = parser.parse_args()
    heldout_dir = args.heldout_out or args.out.rstrip("/") + "-heldout"

    # Fetch, read licences, load.
    roots, sources = {}, {}
    for package in sorted({p.package for p in subject.photos}, key=lambda p: p.name):
        roots[package.name] = fetch(package, args.cache)
    copyrights = {}
    for photo in subject.photos:
        root, version = roots[photo.package.name]
        if photo.package.name not in copyrights:
            copyrights[photo.package.name] = Copyright(
                os.path.join(root, "usr/share/doc", photo.package.name, "copyright"))
        path = os.path.join(root, photo.path)
        if not os.path.exists(path):
            sys.exit(f"{photo.path} is not in {photo.package.name} {version}")
        with Image.open(path) as image:
            size = image.size
        sources[photo.key] = dict(photo=photo, package=photo.package, version=version, file=path,
                                  size=size, info=copyrights[photo.package.name].lookup(photo.path))
    if len(sources) != len(subject.photos):
        sys.exit("two photographs share a name")

    boxes = {key: crops(s["photo"], s["size"], subject.scales, args.seed, subject.max_iou)
             for key, s in sources.items()}

    # Hold out whole photographs, in a seeded order: the first one usable as a test fixture,
    # then the next ones until both the fraction and the count of squares are reached.
    order = sorted(sources, key=natural)
    np.random.default_rng(args.seed).shuffle(order)
    first = next(k for k in order if fixture_friendly(sources[k]["info"]["licence"]))
    order.remove(first)
    order.insert(0, first)
    wanted = math.ceil(args.heldout_fraction * len(order))
    heldout = []
    for key in order:
        if len(heldout) >= wanted and sum(len(boxes[k]) for k in heldout) >= args.min_heldout:
            break
        heldout.append(key)
    train = [k for k in sorted(sources, key=natural) if k not in heldout]

    results = {}
    for directory, keys, split in ((args.out, train, "train"), (heldout_dir, sorted(heldout, key=natural), "heldout")):
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        rows = []
        for key in keys:
            source = sources[key]
            image = Image.open(source["file"]).convert("RGB")
            counts = {}
            for scale, box in boxes[key]:
                k = counts.get(scale.tag, 0)
                counts[scale.tag] = k + 1
                name = f"{key}_{scale.tag}_{k:02d}.png"
                render(image, box, args.size).save(os.path.join(directory, name), optimize=True)
                info = source["info"]
                rows.append(dict(file=name, photograph=key, package=source["package"].name,
                                 version=source["version"], path=source["photo"].path,
                                 crop_x=box[0], crop_y=box[1], crop_side=box[2] - box[0],
                                 scale=scale.tag, copyright=info["copyright"], licence=info["licence"],
                                 licence_note=info["note"]))
        write_manifest(directory, rows)
        extra = []
        if split == "heldout":
            extra = [f"Held out: {len(keys)} whole photographs of {len(sources)} "
                     f"({', '.join(keys)}); no square of them is in {args.out}."]
        write_credits(os.path.join(directory, "CREDITS.txt"), subject, args, rows, split, sources, extra)
        results[split] = rows
        unused = [k for k in keys if not boxes[k]]
        if unused:
            print(f"warning: no square fits the region of {', '.join(unused)}", file=sys.stderr)

    def licences(rows):
        counts = {}
        for key in {r["photograph"] for r in rows}:
            licence = sources[key]["info"]["licence"]
            counts[licence] = counts.get(licence, 0) + 1
        return ", ".join(f"{n} {l}" for l, n in sorted(counts.items(), key=lambda kv: -kv[1]))

    for directory, split in ((args.out, "train"), (heldout_dir, "heldout")):
        rows = results[split]
        per_scale = {s.tag: 0 for s in subject.scales}
        for row in rows:
            per_scale[row["scale"]] += 1
        print(f"{directory}: {len(rows)} squares from {len({r['photograph'] for r in rows})} photographs "
              f"({', '.join(f'{n} at {t}' for t, n in per_scale.items())}); licences: {licences(rows)}")
    if args.fixtures:
        write_fixtures(subject, heldout_dir, results["heldout"], sources,
                       os.path.join("tests/fixtures/heldout", subject.name), args.fixture_count)
    if args.sheet:
        print(f"{contact_sheet(args.out, args.sheet)}: {os.path.getsize(args.sheet) / 1024:.0f} KiB")
