#!/usr/bin/env python3
"""Makes the `sea` dataset: waves, surf, rocks in the sea and calm water, cut from the landscape
photographs of the game Endless Sky (Debian `endless-sky-high-dpi`, its 1440x720 `*@2x.jpg`
versions of the 720x360 pictures in `endless-sky-data`).

Every sea*, beach* and water* photograph was looked at; the ones kept are listed below with the
part of each that shows the sea (x0, y0, x1, y1 as fractions of the width and height, chosen by
eye), the others are listed with the reason they were left out. Squares are cut at the full
height of a photograph (sky and sea: a seascape) and at 1/2 and 1/3 of it (mostly water).
Run by scripts/make-sea.sh; `--help` lists the options.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from photo_dataset import Package, Photo, Scale, Subject, main  # noqa: E402

ENDLESS_SKY = Package("endless-sky-high-dpi", "0.9.8-1",
                      ("usr/share/games/endless-sky/plugins/endless-sky-high-dpi/images/land",))
LAND = "usr/share/games/endless-sky/plugins/endless-sky-high-dpi/images/land/"


def land(name, region):
    return Photo(ENDLESS_SKY, f"{LAND}{name}@2x.jpg", region)


PHOTOS = [
    land("sea1", (0, .27, 1, 1)),            # open sea, whitecaps
    land("sea2", (0, .35, 1, 1)),            # long exposure: misty water, rocks
    land("sea3", (0, .5, 1, 1)),             # sea pouring into a rock basin
    land("sea4", (.35, .45, 1, 1)),          # surf along a rocky coast
    land("sea5", (0, .62, 1, 1)),            # beach, evening light
    land("sea7", (0, .55, 1, 1)),            # sunset over rock shelves
    land("sea8", (0, .45, .5, 1)),           # sea beside a sunlit cliff
    land("sea9", (0, .55, 1, 1)),            # sea below misty hills
    land("sea10-sfiera", (0, .5, 1, 1)),     # sunset on the open sea
    land("sea15-harro", (0, .45, 1, 1)),     # breakers on black lava rock
    land("beach1", (0, .3, .85, 1)),         # blue bay with surf
    land("beach2", (0, .45, 1, 1)),          # waves on rocks
    land("beach3", (.3, .35, 1, 1)),         # surf on a sandy beach
    land("beach4", (0, .3, 1, 1)),           # backlit surf over rocks
    land("beach5", (0, .55, 1, 1)),          # red sunset reflected on wet sand
    land("beach6", (0, .45, 1, 1)),          # long exposure: surf around rocks
    land("beach7-sfiera", (0, .45, 1, 1)),   # surf between rocks
    land("beach8-sfiera", (0, .4, 1, 1)),    # sea stacks, swell
    land("water4", (0, .6, 1, 1)),           # calm blue water, fog bank
    land("water5", (0, .55, 1, 1)),          # lake mirroring clouds
    land("fog3", (0, .5, 1, 1)),             # storm sea, grey-green waves
    land("bwerner1", (0, .45, 1, 1)),        # Azure Window, Gozo: deep blue sea and spray
    land("myrabella1", (0, .5, 1, .9)),      # breaking waves on a beach
    land("myrabella4", (.3, .3, 1, 1)),      # cliffs of Bonifacio, blue sea
    land("myrabella5", (.3, .45, 1, 1)),     # sunset sea beside a headland
]

LEFT_OUT = {
    "sea0": "tidal flat and grassland, hardly any sea",
    "sea6": "mountain range seen from above; the sea is a sliver",
    "sea11-sfiera": "a dark bay seen from a hill; small, flat water",
    "sea12-sfiera": "clouds and forest; the sea is a thin band",
    "sea13-sfiera": "grey bay under rain; flat water, little structure",
    "sea14-sfiera": "flat sand and buildings; no sea surface to speak of",
    "sea16-harro": "moorland; the sea is a sliver",
    "sea17-harro": "clifftop grass under clouds; the sea is a sliver",
    "beach0": "seagulls and a ruined pier over most of the calm water",
    "beach9-sfiera": "mostly dark rocks around flat grey water",
    "beach10-sfiera": "heath in the foreground; the sea is a thin band",
    "beach11-harro": "sand and sky; the sea is a thin band",
    "beach12-harro": "a sandy creek, no sea",
    "water0": "a small lake among mountains",
    "water1": "a field and trees; no water visible",
    "water2": "marsh pond and reeds",
    "water3": "marshland",
    "water6": "colour-edited (purple) landscape",
    "water7": "lake: flat, grey, little structure",
    "water8": "river in a valley, seen from above",
    "water9": "lake: flat, grey (HDR-processed)",
    "water10-harro": "lake seen from above, mostly fields and forest",
    "water11-harro": "rocky shore, little water",
    "bwerner0, bwerner5, myrabella2": "calm hazy water or a thin band of sea behind land",
}

SEA = Subject(
    name="sea",
    title="The sea: waves, surf, rocks in the sea and calm water (Endless Sky's landscape photographs).",
    photos=PHOTOS,
    scales=[Scale(1.0, 6, 0.45), Scale(1 / 2, 16, 0.75), Scale(1 / 3, 24, 0.9)],
    left_out=LEFT_OUT,
    train_hint="The squares keep the photographs' up and down (sky above the sea): train with `--flip h`.",
)

if __name__ == "__main__":
    main(SEA)
