#!/usr/bin/env python3
"""Makes the `fire` dataset: procedural flames (numpy + Pillow), no downloads.

Usage: make-fire.py OUT_DIR COUNT [SEED]
Each image is 256x256: flame tongues rising from the bottom edge, shaped by fractal value noise
and coloured along a black-body-like ramp (black, deep red, orange, yellow, near white).
"""

import numpy as np

from procedural import fbm, ramp_colour, write_images

SIZE = 256

RAMP = np.array([
    [0.00, 0.00, 0.00, 0.00],
    [0.25, 0.35, 0.02, 0.00],
    [0.45, 0.80, 0.15, 0.02],
    [0.65, 1.00, 0.45, 0.05],
    [0.85, 1.00, 0.80, 0.30],
    [1.00, 1.00, 0.97, 0.85],
])


def flame(rng):
    y, x = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    height = 1.0 - y  # 0 at the bottom edge, 1 at the top
    turbulence = fbm(rng, SIZE, rng.integers(3, 6), 5)
    sway = (fbm(rng, SIZE, 2, 3) - 0.5) * rng.uniform(0.15, 0.4)
    heat = np.zeros((SIZE, SIZE))
    for _ in range(rng.integers(2, 6)):
        centre = rng.uniform(0.1, 0.9)
        width = rng.uniform(0.06, 0.2)
        reach = rng.uniform(0.35, 0.95)
        column = np.exp(-((x + sway * height - centre) / (width * (1 - 0.6 * height))) ** 2)
        heat += column * np.clip(1 - height / reach, 0, 1) ** rng.uniform(0.6, 1.4)
    heat = heat * (0.55 + 0.9 * turbulence) - 0.25 * height * turbulence
    glow = np.clip(1 - height * rng.uniform(1.5, 3.0), 0, 1) * rng.uniform(0.1, 0.35)
    heat = np.clip(heat * rng.uniform(0.8, 1.3) + glow, 0, 1.15)
    return (ramp_colour(RAMP, heat) * 255).astype(np.uint8)


def main():
    write_images(flame, "fire")


if __name__ == "__main__":
    main()
