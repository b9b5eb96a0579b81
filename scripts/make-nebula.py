#!/usr/bin/env python3
"""Makes the `nebula` dataset from the deep-sky photographs Stellarium ships (Debian `stellarium-data`).

Usage: make-nebula.py NEBULAE_DIR DOC_DIR OUT_DIR HELDOUT_DIR [options]
  NEBULAE_DIR  the extracted usr/share/stellarium/nebulae/default (textures.json, catalog.dat, *.png)
  DOC_DIR      the extracted usr/share/doc/stellarium-data (copyright, CREDITS.md.gz)
scripts/make-nebula.sh fetches and extracts the package, then calls this.

What it does, deterministically for a given seed:
1. Names each texture's object (m42, n7000, ic1396, sh2-155, ...) and looks its type up in
   Stellarium's own DSO catalogue (catalog.dat); a short table covers the textures named otherwise
   (lmc_01, velasnr, ...). Only nebulae are kept: emission, HII, reflection, dark, planetary,
   supernova remnants, clusters in nebulosity. Galaxies, star clusters and galaxy clusters are not.
2. Skips textures under 256 px (low-resolution placeholders) and near-grey ones (survey plates).
3. Groups textures whose footprints on the sky overlap (mosaic tiles, one region shot twice) and
   holds out whole groups, so no held-out image shares sky with a training image.
4. Cuts square crops (seeded: size, position, one of the 8 rotations/mirrors) where nebulosity
   (star-free brightness above the sky background) covers enough of the frame, and writes them
   as SIZE x SIZE PNGs.
5. Writes CREDITS.txt next to the images: the package's licence, and per source the photographer,
   the licence upstream states for it, and the files made from it.
By default the squares keep the photographs' colours. --starless, --stretch and --colour palette
process them (star removal, levels, colour from brightness) for a set a grey-input model can learn.
"""
import argparse
import gzip
import json
import math
import os
import re
import struct
import zlib

import numpy as np
from PIL import Image, ImageFilter

LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)

# Stellarium's Nebula::NebulaType values that are nebulae (src/core/modules/Nebula.hpp).
NEBULA_TYPES = {
    10: "nebula", 11: "planetary nebula", 12: "dark nebula", 13: "reflection nebula",
    14: "bipolar nebula", 15: "emission nebula", 16: "cluster with nebulosity", 17: "HII region",
    18: "supernova remnant", 19: "interstellar matter", 20: "emission object",
    23: "molecular cloud", 26: "possible planetary nebula", 27: "protoplanetary nebula",
    32: "supernova remnant candidate", 35: "region",
}
DARK_TYPES = {12, 23}  # dark nebula, molecular cloud
OTHER_TYPES = {
    0: "galaxy", 1: "active galaxy", 2: "radio galaxy", 3: "interacting galaxies",
    5: "star cluster", 6: "open cluster", 7: "globular cluster", 28: "star", 33: "galaxy cluster",
}

# Textures whose names are not catalogue designations (type numbers as above; looked at by eye).
NAMED = {
    "gammacygni": 17, "jones-emberson1": 11, "medusa": 11, "abell31": 11, "abell33": 11,
    "abell39": 11, "abell85": 18, "barnard_loop": 17, "calabash": 27, "red_rectangle": 27,
    "cas": 17,  # IC 59 / IC 63 (Zhang Ruiping)
    "cassiopeia_a": 18, "darkshark": 12, "etacarinae": 17, "velasnr": 18, "rho": 12,
    "pleiades": 16, "lmc": 0, "smc": 0, "smc29": 0, "wilds": 3,
    # Catalogued as clusters, photographed as the nebulae they sit in.
    "ic1848": 16, "n2244": 16, "n2264": 16, "n3293": 16, "n3532": 16, "n3572": 16,
}
# Catalogues of nebulae only: their objects are nebulae even where catalog.dat types the object
# by the star or cluster inside (Sh2-308, Sh2-80 are typed "star").
NEBULA_CATALOGUES = {"Sh2": 17, "LBN": 10, "LDN": 12, "B": 12, "RCW": 17, "VdB": 13}
DESIGNATIONS = [("sh2-", "Sh2"), ("barnard", "B"), ("ldn", "LDN"), ("lbn", "LBN"), ("rcw", "RCW"),
                ("vdb", "VdB"), ("ic", "IC"), ("m", "M"), ("n", "NGC"), ("p", "PGC"), ("u", "UGC")]

# Licences as upstream's CREDITS.md (section 4) states them, by the credit line textures.json gives.
# Anything not listed here: "not stated upstream (distributed in the package under its GPL-2+)".
LICENCES = [
    ("Adam Block", "CC BY-SA 3.0"),
    ("Hewholooks", "CC BY-SA 3.0"),
    ("Starhopper", "CC BY-SA 4.0"),
    ("Keesscherer", "CC BY-SA 4.0"),
    ("Roberto Mura", "CC BY-SA 3.0"),
    ("Sun Gang", "CC BY-SA 3.0"),
    ("Rogelio Bernal Andreo", "CC BY-SA 3.0"),
    ("Kong Fanxi", "CC BY-SA 3.0"),
    ("Jeffjnet", "CC BY-SA 3.0"),
    ("Sunfishtommy", "CC BY-SA 3.0"),
    ("Tom Wildoner", "CC BY-SA 4.0"),
    ("Tayson82", "CC BY-SA 4.0"),
    ("Clh288", "CC BY-SA 2.5"),
    ("Ole Nielsen", "CC BY-SA 2.5"),
    ("Fany Toporenko", "GFDL 1.2+"),
    ("Harel Boren", "CC BY-SA 4.0"),
    ("Aldeabaran66", "CC BY-SA 4.0"),
    ("Chuck Ayoub", "CC BY-SA 4.0"),
    ("AAE-Agrupacio", "CC BY-SA 4.0"),
    ("Gianluca", "CC BY-SA 4.0"),
    ("Antonio F. Sanchez", "CC BY-SA 4.0"),
    ("Kamil Pecinovsky", "CC BY-SA 4.0"),
    ("Astrowicht", "CC BY-SA 3.0"),
    ("Wang Wei", "CC BY-SA 3.0"),
    ("Philos2000", "CC BY-SA 3.0"),
    ("R. Jay GaBany", "CC BY-SA 3.0"),
    ("Fabian RRRR", "CC BY-SA 3.0"),
    ("Mohamad Abbas", "CC BY-SA 3.0"),
    ("San Esteban", "CC BY-SA 3.0"),
    ("Jose Mtanous", "CC BY-SA 3.0 (NGC 6960: public domain)"),
    ("Klaus Hohmann", "CC BY-SA 3.0 DE"),
    ("Friendlystar", "CC BY 3.0"),
    ("Ivan Bok", "CC BY 3.0"),
    ("Guillermo Abramson", "CC BY 3.0"),
    ("Mi Lan", "CC BY 3.0"),
    ("Zhuokai Liu", "CC BY 4.0"),
    ("Judy Schmidt", "public domain"),
    ("Fryns", "public domain"),
    ("J. Aleu", "public domain"),
    ("Pan-STARRS", "public domain"),
    ("Ken Crawford", "free use (\"may be used by anyone for any purpose\")"),
    ("SunShuwei", "public domain"),
    ("Dylan O'Donnell", "public domain"),
    ("Sun Shuwei", "public domain"),  # ESO/R. Gendler and Sun Shuwei is matched first below
    ("Wang Lingyi", "public domain"),
    ("Yang Kai", "public domain"),
    ("Lowell Observatory", "public domain"),
    ("Giuseppe Donatiello", "public domain / CC0 1.0"),
    ("Howard Bond (ST ScI) and NASA/ESA", "CC BY 4.0"),
    ("Hubble", "CC BY 4.0"),
    ("ESA", "CC BY 4.0"),
    ("ESO", "CC BY 4.0"),
    ("NASA", "public domain"),
    ("Zhang Ruiping", "CC BY 4.0"),
    ("Cristina Cellini", "CC BY 4.0"),
    ("HG731GZ", "CC BY 3.0"),
    ("Bart Delsaert", "CC BY 3.0"),
    ("Jschulman555", "CC BY 3.0"),
    ("Zhao Jingna", "CC BY 3.0"),
    ("Zhu Ying", "CC BY 3.0"),
    ("Oleg Bryzgalov", "CC BY 3.0"),
    ("Grasslands Observatory", "free use with credit (\"Images courtesy of Tim Hunter and James "
                               "McGaha, Grasslands Observatory\")"),
]
VERSION = "0.22.2-1"  # of the package the dataset was designed on (scripts/make-nebula.sh checks)
NOT_STATED = "not stated upstream (distributed in the package under its GPL-2+)"


def licence_for(credit):
    if credit.startswith("ESO/R. Gendler and Sun Shuwei"):
        return "CC BY 4.0"
    for key, licence in LICENCES:
        if key.lower() in credit.lower():
            return licence
    return NOT_STATED


# ---------------------------------------------------------------- Stellarium's files

def read_textures(path):
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"(?<![\d.])(-?)\.(\d)", r"\g<1>0.\2", text)  # ".97" is not JSON
    tiles = []
    for tile in json.loads(text)["subTiles"]:
        credits = {k.lower(): v for k, v in tile.get("imageCredits", {}).items()}
        tiles.append({
            "file": tile["imageUrl"],
            "credit": credits.get("short", "").strip(),
            "url": credits.get("infourl", "").strip(),
            "corners": [c for polygon in tile["worldCoords"] for c in polygon],
        })
    return tiles


def read_catalog(path):
    """Type and designations of each object in Stellarium's DSO catalogue (catalog.dat).

    A gzipped QDataStream: a version and an edition string, then one record per object. Only the
    fixed-layout head of a record is read (id, RA, Dec, magnitudes, type, morphology string, axes,
    angle, distances, 12 catalogue numbers); the next record is found by its id."""
    data = gzip.open(path).read()
    u32 = lambda p: struct.unpack_from(">I", data, p)[0]
    f64 = lambda p: struct.unpack_from(">d", data, p)[0]

    def plausible(p, number):
        return (p + 20 <= len(data) and u32(p) == number
                and 0.0 <= f64(p + 4) <= 6.3 and -1.58 <= f64(p + 12) <= 1.58)

    pos = 4 + u32(0)
    pos += 4 + u32(pos)
    index, number = {}, 1
    names = ["NGC", "IC", "M", "C", "B", "Sh2", "VdB", "RCW", "LDN", "LBN", "Cr", "Mel", "PGC", "UGC"]
    while plausible(pos, number):
        kind = u32(pos + 36)
        length = u32(pos + 40)
        head = pos + 44 + (0 if length == 0xFFFFFFFF else length)
        numbers = head + 8 + 8 + 4 + 6 * 8  # axes, angle, redshift/parallax/distance and errors
        for i, name in enumerate(names):
            value = u32(numbers + 4 * i)
            if value:
                index.setdefault((name, value), kind)
        number += 1
        pos = numbers + 4 * len(names)
        while pos + 20 <= len(data) and not plausible(pos, number):
            pos += 2
    if number < 1000:
        raise SystemExit(f"{path}: read only {number} objects; has the catalogue format changed?")
    return index


def object_type(stem, catalog):
    low = stem.lower()
    base = re.sub(r"-vasey$", "", low)
    for name, kind in NAMED.items():
        if base == name or re.fullmatch(re.escape(name) + r"[-_]?[a-z]?\d*", base):
            return kind
    if base.endswith("_cluster"):
        return 33
    for prefix, catalogue in DESIGNATIONS:
        match = re.match(re.escape(prefix) + r"(\d+)", base)
        if match:
            kind = catalog.get((catalogue, int(match.group(1))))
            if catalogue in NEBULA_CATALOGUES and kind not in NEBULA_TYPES:
                kind = NEBULA_CATALOGUES[catalogue]
            if kind is None and catalogue in ("PGC", "UGC"):
                kind = 0
            return kind
    return None


# ---------------------------------------------------------------- geometry on the sky

def unit(ra, dec):
    ra, dec = math.radians(ra), math.radians(dec)
    return np.array([math.cos(dec) * math.cos(ra), math.cos(dec) * math.sin(ra), math.sin(dec)])


def footprint(corners):
    vectors = [unit(ra, dec) for ra, dec in corners]
    centre = sum(vectors)
    centre /= np.linalg.norm(centre)
    radius = max(math.acos(min(1.0, float(centre @ v))) for v in vectors)
    return centre, radius


def sky_groups(tiles):
    """Union-find over textures whose footprints (centre + radius) overlap."""
    parent = list(range(len(tiles)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    prints = [footprint(t["corners"]) for t in tiles]
    for i in range(len(tiles)):
        for j in range(i + 1, len(tiles)):
            (ci, ri), (cj, rj) = prints[i], prints[j]
            if math.acos(max(-1.0, min(1.0, float(ci @ cj)))) < ri + rj:
                parent[root(i)] = root(j)
    return [root(i) for i in range(len(tiles))]


# ---------------------------------------------------------------- images

def load_rgb(path):
    image = Image.open(path)
    if image.mode in ("P", "LA", "PA") or "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode == "RGBA":  # Stellarium blends these over the sky: put them on black
        black = Image.new("RGBA", image.size, (0, 0, 0, 255))
        image = Image.alpha_composite(black, image)
    return image.convert("RGB")


class Nebulosity:
    """Where a picture has nebula: star-free brightness (a median filter removes stars) clearly
    above the sky background, measured on a copy WORK pixels wide."""
    WORK = 256

    def __init__(self, image):
        small = image.resize((self.WORK, self.WORK), Image.BOX)
        rgb = np.asarray(small, dtype=np.float32) / 255.0
        luma = rgb @ LUMA
        grey = Image.fromarray(np.uint8(np.clip(luma * 255 + 0.5, 0, 255)))
        starless = np.asarray(grey.filter(ImageFilter.MedianFilter(9)), dtype=np.float32) / 255.0
        background = float(np.percentile(luma, 10))
        self.mask = starless > background + 0.07
        self.sky = starless < background + 0.03
        self.chroma = rgb.max(-1) - rgb.min(-1)
        self.luma = luma
        # Colour of the nebulosity alone: saturation (max - min channel) with the stars removed.
        smooth = np.asarray(small.filter(ImageFilter.MedianFilter(5)), dtype=np.float32) / 255.0
        self.colour = smooth.max(-1) - smooth.min(-1)

    def colourful(self):
        """Mean saturation where the nebula is: about 0 for grey survey plates."""
        return float(self.chroma[self.mask].mean()) if self.mask.any() else 0.0

    def cover(self, x, y, side, width, mask=None):
        """Fraction of the square (x, y, side), in source pixels of an image `width` wide, that is
        nebula (or, given `mask`, that mask; or the mean of a map such as `colour`)."""
        mask = self.mask if mask is None else mask
        k = self.WORK / width
        x0, y0 = int(x * k), int(y * k)
        x1, y1 = max(int(math.ceil((x + side) * k)), x0 + 1), max(int(math.ceil((y + side) * k)), y0 + 1)
        return float(mask[y0:y1, x0:x1].mean())


def iou(a, b):
    (ax, ay, aside), (bx, by, bside) = a, b
    w = max(0, min(ax + aside, bx + bside) - max(ax, bx))
    h = max(0, min(ay + aside, by + bside) - max(ay, by))
    inter = w * h
    return inter / (aside * aside + bside * bside - inter)


def crops(image, nebulosity, rng, wanted, min_side, min_cover, min_sky=0.0, min_colour=0.0):
    """Up to `wanted` squares well filled with nebula (and with at least `min_sky` of dark sky),
    colourful (mean star-free saturation at least `min_colour`), overlapping each other little."""
    width, height = image.size
    short = min(width, height)
    smallest = max(min_side, int(short * 0.35))
    candidates = [(0, 0, short)] if width == height else []
    for _ in range(80):
        side = int(rng.integers(smallest, short + 1))
        candidates.append((int(rng.integers(0, width - side + 1)), int(rng.integers(0, height - side + 1)), side))
    if min_sky > 0:
        candidates = [(x, y, s) for x, y, s in candidates
                      if nebulosity.cover(x, y, s, width, nebulosity.sky) >= min_sky]
    if min_colour > 0:
        candidates = [(x, y, s) for x, y, s in candidates
                      if nebulosity.cover(x, y, s, width, nebulosity.colour) >= min_colour]
    scored = [(nebulosity.cover(x, y, s, width), (x, y, s)) for x, y, s in candidates]
    chosen = []
    for cover, box in sorted(scored, key=lambda item: -item[0]):
        if cover < min_cover or len(chosen) == wanted:
            break
        if all(iou(box, other) < 0.35 for other in chosen):
            chosen.append(box)
    return chosen


DIHEDRAL_NAMES = ["none", "rotate 90", "rotate 180", "rotate 270", "mirror left-right",
                  "mirror top-bottom", "transpose", "transverse"]
DIHEDRAL = [None, Image.Transpose.ROTATE_90, Image.Transpose.ROTATE_180, Image.Transpose.ROTATE_270,
            Image.Transpose.FLIP_LEFT_RIGHT, Image.Transpose.FLIP_TOP_BOTTOM,
            Image.Transpose.TRANSPOSE, Image.Transpose.TRANSVERSE]


# Brightness -> colour of an emission nebula: black sky, deep hydrogen-alpha red, crimson,
# pink, and a pale blue-white core (as in M42, M8, NGC 3372). Used by --colour palette.
PALETTE = np.array([
    [0.00, 0.00, 0.00, 0.00],
    [0.10, 0.20, 0.02, 0.04],
    [0.30, 0.62, 0.10, 0.20],
    [0.55, 0.92, 0.35, 0.50],
    [0.80, 1.00, 0.72, 0.78],
    [1.00, 0.90, 0.97, 1.00],
])


def stretch(image, median_target):
    """Levels as an astrophotographer sets them: the darkest 1% to black, the brightest 0.5% to
    white, then a gamma (only ever brightening, one curve for all channels so hues stay) that
    lifts the median brightness to `median_target`."""
    rgb = np.asarray(image, dtype=np.float32) / 255.0
    luma = rgb @ LUMA
    black, white = np.percentile(luma, 1), np.percentile(luma, 99.5)
    rgb = np.clip((rgb - black) / max(white - black, 1e-3), 0, 1)
    median = float(np.median(np.clip((luma - black) / max(white - black, 1e-3), 0, 1)))
    gamma = 1.0 if median <= 0 else float(np.clip(math.log(median_target) / math.log(median), 0.35, 1.0))
    return Image.fromarray(np.uint8(np.clip(rgb ** gamma * 255 + 0.5, 0, 255)))


def render(image, box, size, turn, starless=0, colour="real", median_target=0.0):
    x, y, side = box
    out = image.crop((x, y, x + side, y + side)).resize((size, size), Image.LANCZOS)
    if starless:
        out = out.filter(ImageFilter.MedianFilter(starless))
    if median_target > 0:
        out = stretch(out, median_target)
    if colour == "palette":
        luma = np.asarray(out, dtype=np.float32) @ LUMA / 255.0
        rgb = np.stack([np.interp(luma, PALETTE[:, 0], PALETTE[:, c + 1]) for c in range(3)], axis=-1)
        out = Image.fromarray(np.uint8(np.clip(rgb * 255 + 0.5, 0, 255)))
    return out if DIHEDRAL[turn] is None else out.transpose(DIHEDRAL[turn])


# ---------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("nebulae_dir")
    parser.add_argument("doc_dir")
    parser.add_argument("out_dir")
    parser.add_argument("heldout_dir")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--size", type=int, default=256, help="side of the written squares")
    parser.add_argument("--heldout", type=int, default=40, help="held-out images")
    parser.add_argument("--heldout-per-source", type=int, default=2)
    parser.add_argument("--min-source", type=int, default=256, help="skip smaller textures")
    parser.add_argument("--min-crop", type=int, default=128, help="smallest crop, source pixels")
    parser.add_argument("--min-cover", type=float, default=0.3, help="nebulosity a crop needs")
    parser.add_argument("--min-colour", type=float, default=0.03, help="skip greyer sources")
    parser.add_argument("--min-square-colour", type=float, default=0.04,
                        help="colour measure a square needs: its mean saturation (max - min channel, "
                             "stars removed by a 5x5 median); drops grey star fields, dark frames "
                             "and faint grey nebulosity (0: off)")
    parser.add_argument("--min-dark-colour", type=float, default=0.1,
                        help="the same for dark nebulae and molecular clouds, whose squares are "
                             "mostly dense star fields: only their most colourful ones are kept")
    parser.add_argument("--min-sky", type=float, default=0.0,
                        help="dark sky a crop needs (fraction), so every image shows a black point")
    parser.add_argument("--starless", type=int, default=0,
                        help="median filter of this odd size on the written squares (removes stars)")
    parser.add_argument("--colour", choices=["real", "palette"], default="real",
                        help="real: the photographs' colours; palette: brightness mapped through "
                             "a fixed emission-nebula palette (structure from the photographs)")
    parser.add_argument("--stretch", type=float, default=0.0,
                        help="per-square levels + gamma lifting the median brightness to this (0: off)")
    parser.add_argument("--package", default="stellarium-data")
    args = parser.parse_args()

    tiles = read_textures(os.path.join(args.nebulae_dir, "textures.json"))
    catalog = read_catalog(os.path.join(args.nebulae_dir, "catalog.dat"))
    groups = sky_groups(tiles)

    skipped = {}
    sources = []
    for tile, group in zip(tiles, groups):
        stem = os.path.splitext(tile["file"])[0]
        kind = object_type(stem, catalog)
        if kind not in NEBULA_TYPES:
            label = OTHER_TYPES.get(kind, f"type {kind}" if kind is not None else "unknown object")
            skipped.setdefault(label, []).append(stem)
            continue
        image = load_rgb(os.path.join(args.nebulae_dir, tile["file"]))
        if min(image.size) < args.min_source:
            skipped.setdefault(f"smaller than {args.min_source} px", []).append(stem)
            continue
        nebulosity = Nebulosity(image)
        if nebulosity.colourful() < args.min_colour:
            skipped.setdefault("grey (no colour)", []).append(stem)
            continue
        sources.append(dict(tile, stem=stem, kind=kind, group=group, image=image, nebulosity=nebulosity))

    # Hold out whole sky groups, in a seeded order, until enough held-out crops are promised.
    rng = np.random.default_rng(args.seed)
    by_group = {}
    for source in sources:
        by_group.setdefault(source["group"], []).append(source)
    order = sorted(by_group)
    rng.shuffle(order)

    def rng_for(stem):
        return np.random.default_rng([args.seed, zlib.crc32(stem.encode())])

    def min_colour(source):
        dark = source["kind"] in DARK_TYPES
        return max(args.min_square_colour, args.min_dark_colour) if dark else args.min_square_colour

    def wanted_train(image):
        return int(np.clip(round((min(image.size) / 256) ** 1.3 * 2), 2, 6))

    heldout, train = [], []
    for key in order:
        members = by_group[key]
        if len(heldout) < args.heldout:
            for source in members:
                boxes = crops(source["image"], source["nebulosity"], rng_for(source["stem"]),
                              args.heldout_per_source, args.min_crop, args.min_cover, args.min_sky,
                              min_colour(source))
                heldout += [(source, box) for box in boxes]
                if not boxes:
                    skipped.setdefault("no square colourful and nebulous enough", []).append(source["stem"])
            for source in members:
                source["split"] = "heldout"
        else:
            for source in members:
                source["split"] = "train"
                boxes = crops(source["image"], source["nebulosity"], rng_for(source["stem"]),
                              wanted_train(source["image"]), args.min_crop, args.min_cover, args.min_sky,
                              min_colour(source))
                train += [(source, box) for box in boxes]
                if not boxes:
                    skipped.setdefault("no square colourful and nebulous enough", []).append(source["stem"])
    heldout = heldout[:args.heldout]

    made = {}
    for directory, items in ((args.out_dir, train), (args.heldout_dir, heldout)):
        os.makedirs(directory, exist_ok=True)
        counts, rows = {}, []
        for source, box in items:
            k = counts.get(source["stem"], 0)
            counts[source["stem"]] = k + 1
            name = f"{source['stem'].lower()}_{k}.png"
            turn = int(rng_for(f"{source['stem']}/{k}").integers(0, 8))
            render(source["image"], box, args.size, turn, args.starless, args.colour,
                   args.stretch).save(os.path.join(directory, name), optimize=True)
            made.setdefault(source["stem"], []).append((directory, name, box))
            rows.append([name, source["file"], NEBULA_TYPES[source["kind"]], args.package, VERSION,
                         *box, DIHEDRAL_NAMES[turn], source["credit"], source["url"],
                         licence_for(source["credit"])])
        with open(os.path.join(directory, "MANIFEST.tsv"), "w", encoding="utf-8") as manifest:
            manifest.write("\t".join(["file", "texture", "object", "package", "version", "crop_x",
                                      "crop_y", "crop_side", "turn", "credit", "url", "licence"]) + "\n")
            for row in rows:
                manifest.write("\t".join(str(v).replace("\t", " ") for v in row) + "\n")

    for directory, split in ((args.out_dir, "train"), (args.heldout_dir, "heldout")):
        write_credits(os.path.join(directory, "CREDITS.txt"), args, sources, made, skipped, split)
    used = {s for s in made}
    print(f"sources: {len(tiles)} textures; {len(sources)} nebula photographs; squares cut from "
          f"{sum(1 for s in sources if s.get('split') == 'train' and s['stem'] in used)} (train) and "
          f"{sum(1 for s in sources if s.get('split') == 'heldout' and s['stem'] in used)} (held out); "
          f"skipped: " + ", ".join(f"{k} {len(v)}" for k, v in sorted(skipped.items())))
    print(f"{args.out_dir}: {len(train)} images; {args.heldout_dir}: {len(heldout)} images")


def write_credits(path, args, sources, made, skipped, split):
    lines = [
        "Nebula photographs from Stellarium 0.22.2 (https://stellarium.org), Debian package "
        f"`{args.package}` 0.22.2-1,",
        "usr/share/stellarium/nebulae/default/ (per-image credits: textures.json there).",
        "Cropped, rotated/mirrored and resized by scripts/make-nebula.py "
        f"(seed {args.seed}, {args.size}x{args.size} PNG); MANIFEST.tsv lists each file's crop and licence.",
        "Picked automatically: the textures whose object Stellarium's catalogue types as a nebula, and",
        f"in them squares where star-free nebulosity covers at least {args.min_cover:.0%} and whose colour",
        f"measure (mean saturation, max - min channel, stars removed) is at least {args.min_square_colour}",
        f"({args.min_dark_colour} for dark nebulae and molecular clouds, mostly dense star fields).",
    ]
    if args.starless:
        lines.append(f"Stars removed with a {args.starless}x{args.starless} median filter.")
    if args.stretch:
        lines.append(f"Levels stretched per square (1%/99.5% to black/white, gamma to a median of {args.stretch}).")
    if args.colour == "palette":
        lines.append("Colours replaced: each pixel's brightness mapped through a fixed emission-nebula palette "
                     "(black, deep red, crimson, pink, blue-white); only the structure is the photographs'.")
    lines += [
        "",
        "Licence. The package's debian/copyright (usr/share/doc/stellarium-data/copyright) has one stanza,",
        "`Files: *  Copyright: (C) 2002-2014 Fabien Chéreau et al.  License: GPL-2+`, and refers to",
        "upstream's README/CREDITS for the textures. Upstream's CREDITS.md (shipped as",
        "usr/share/doc/stellarium-data/CREDITS.md.gz), section 4 \"Graphics\": 4.1 \"All graphics are",
        "copyrighted by the Stellarium's Team (GNU GPLv2 or later) except the ones mentioned below\";",
        "4.7-4.112 then credit the deep-sky photographs with their own licences or permissions:",
        "CC BY 3.0/4.0, CC BY-SA 2.5/3.0/4.0, public domain / CC0, GFDL, or \"free use with credit\";",
        "for some photographers (e.g. Peter Vasey, Plover Hill Observatory) no licence is stated, so",
        "only the package's GPL-2+ statement covers them. Each source's licence as stated upstream is",
        "listed below; credit the photographers when showing these images or work made from them.",
        "",
        f"Files in this folder ({split}), by source texture:",
        "",
    ]
    for source in sorted(sources, key=lambda s: s["stem"].lower()):
        files = [name for directory, name, _ in made.get(source["stem"], [])
                 if os.path.abspath(directory) == os.path.abspath(os.path.dirname(path))]
        if not files:
            continue
        kind = NEBULA_TYPES[source["kind"]]
        credit = source["credit"] or "no credit line"
        url = f" <{source['url']}>" if source["url"] else ""
        lines.append(f"{source['file']} ({kind}): {credit}{url}")
        lines.append(f"    licence: {licence_for(source['credit'])}")
        lines.append(f"    files: {', '.join(files)}")
    by_licence = {}
    for source in sources:
        if any(os.path.abspath(d) == os.path.abspath(os.path.dirname(path)) for d, _, _ in made.get(source["stem"], [])):
            by_licence[licence_for(source["credit"])] = by_licence.get(licence_for(source["credit"]), 0) + 1
    lines += ["", "Sources by stated licence:"]
    lines += [f"    {n:3d}  {licence}" for licence, n in sorted(by_licence.items(), key=lambda kv: -kv[1])]
    if split == "train":
        lines += ["", "Textures not used (not a nebula, too small, or grey):"]
        for reason, stems in sorted(skipped.items()):
            lines.append(f"    {reason} ({len(stems)}): {' '.join(sorted(stems))}")
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
