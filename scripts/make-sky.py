#!/usr/bin/env python3
"""Makes the `sky` dataset: clouds, storm skies, sunsets and fog, cut from the skies of the
landscape photographs of the game Endless Sky (Debian `endless-sky-high-dpi`, 1440x720
`*@2x.jpg`) and one storm photograph of Debian `mate-backgrounds`.

Every sky* and fog* photograph, and the other landscapes with a striking sky, were looked at;
the ones kept are listed below with the part of each that is sky (x0, y0, x1, y1 as fractions of
the width and height, chosen by eye). Squares are cut at 1/2 and 1/3 of a photograph's height
inside its sky, and at its full height where the sky fills most of the picture; a strip of
horizon at the bottom of a square is allowed (up to 15-30%). Endless Sky recolours some
photographs for alien worlds (green or purple skies): those are left out.
Run by scripts/make-sky.sh; `--help` lists the options.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from photo_dataset import Package, Photo, Scale, Subject, main  # noqa: E402

ENDLESS_SKY = Package("endless-sky-high-dpi", "0.9.8-1",
                      ("usr/share/games/endless-sky/plugins/endless-sky-high-dpi/images/land",))
LAND = "usr/share/games/endless-sky/plugins/endless-sky-high-dpi/images/land/"
MATE = Package("mate-backgrounds", "1.26.0-1", ("usr/share/backgrounds/mate/nature",))


def land(name, bottom, left=0.0, right=1.0, top=0.0):
    return Photo(ENDLESS_SKY, f"{LAND}{name}@2x.jpg", (left, top, right, bottom))


PHOTOS = [
    # Named sky / fog by the game.
    land("sky0", .5),                 # grey clouds over a table mountain
    land("sky1", .72),                # storm clouds, low sun over the sea
    land("sky2", 1.0),                # sea of clouds seen from above, sunrise
    land("sky3", .42),                # orange sunset over mountains
    land("sky4", .45),                # bright broken clouds
    land("sky5", .9),                 # dark clouds, sunset glow
    land("sky9", .45),                # heavy cumulus over hills
    land("fog0", 1.0),                # fog wrapping a peak
    land("fog5", 1.0, left=.25),      # light through mist over ridges
    land("fog6", .75),                # mist on a lake, rain curtain
    land("fog7", .6),                 # cloud streaming over a mountain
    # Other landscapes whose upper part is a striking sky.
    land("desert1", .7),              # sun behind towering clouds
    land("desert4", .35),             # blue sky, thin streaks
    land("desert6", .7),              # streaky grey clouds
    land("desert8-sfiera", .45),      # cumulus over a ridge
    land("fields0", .35),             # clouds over autumn trees
    land("fields2", .65),             # sunset streaks
    land("fields6", .6),              # clouds lit by a low sun
    land("fields10-sfiera", .5),      # grey clouds over a volcano plain
    land("valley2", .45),             # grey cloud ceiling
    land("valley3", .42),             # cirrus in deep blue
    land("valley4", .4),              # cumulus over a valley
    land("badlands1", .5),            # fair-weather cumulus
    land("badlands7", .4),            # fiery sunset clouds
    land("dune2", .55),               # dramatic clouds over dunes
    land("canyon9", .45),             # clouds over a canyon rim
    land("forest0", .4),              # blue sky, cumulus
    land("hills7-harro", .4),         # cumulus over green hills
    land("mountain0", .45),           # clouds over dark ridges
    land("mountain4", .55),           # clouds around a snow peak
    land("mountain10-sfiera", .5),    # cirrus fan
    land("mountain13-sfiera", .45),   # cloud bank
    land("mountain17-harro", .5),     # cloud cap on a hill
    land("mountain18-harro", .65, right=.6),  # clouds filling a valley
    land("mountain20-harro", .45),    # lenticular cloud
    land("mountain21-harro", .4),     # clouds over a volcano
    land("mountain23-spfld", .55),    # cloud tops at eye level
    land("sea3", .4),                 # sunset over the sea
    land("sea5", .6),                 # evening clouds over a beach
    land("sea7", .58),                # golden clouds
    land("sea10-sfiera", .48),        # red sunset clouds
    land("sea12-sfiera", .6),         # white clouds
    land("sea16-harro", .48),         # grey storm clouds
    land("sea17-harro", .55),         # towering cumulus
    land("beach5", .5),               # pink and red sunset
    land("beach6", .35),              # sun through storm clouds
    land("beach11-harro", .5),        # clouds over a beach
    land("beach12-harro", .45),       # grey clouds
    land("water5", .45),              # broken clouds (HDR)
    land("water7", .48),              # cloud rows over a lake
    land("water9", .45),              # heavy clouds (HDR, desaturated)
    land("myrabella2", .75),          # cirrus streaks
    Photo(MATE, "usr/share/backgrounds/mate/nature/Storm.jpg", (0, 0, 1, .62)),  # storm front
]

LEFT_OUT = {
    "sky6": "clear gradient sky; the picture is a volcano and a lake",
    "sky7": "mountains with cloud shadows; little sky",
    "sky8": "a peak fills the sky",
    "fog1, fog2": "haze without clouds",
    "fog3": "a stormy sea (used in the sea set); little sky structure",
    "fog4": "green cliffs, plain white sky",
    "dune0, hills4, valley7, water6, mountain2, desert3": "colour-edited alien skies (teal, green, purple, orange)",
    "sea13-sfiera, mountain12-sfiera": "flat grey overcast",
    "mountain3, mountain9, dmottl1, forest5, sunset_by_Aitzol_Berasategi (lomiri-wallpapers-16.04)":
        "plain sky or haze; the clouds are below a peak or not there",
}

SKY = Subject(
    name="sky",
    title="The sky: clouds, storm skies, sunsets and fog (Endless Sky's landscape photographs, "
          "MATE's Storm).",
    photos=PHOTOS,
    scales=[Scale(1.0, 6, 0.7), Scale(1 / 2, 12, 0.85), Scale(1 / 3, 16, 0.9)],
    left_out=LEFT_OUT,
    train_hint="The squares keep the photographs' up and down (clouds above, horizon below): "
               "train with `--flip h`.",
)

if __name__ == "__main__":
    main(SKY)
