#!/usr/bin/env python3
"""Makes the `cosmos` dataset: procedural nebulae and star fields (numpy + Pillow), no downloads.

Usage: make-cosmos.py OUT_DIR COUNT [SEED]
Each image is 256x256: glowing gas shaped by soft and ridged fractal noise inside a few large
clouds, cut by dark dust lanes, over a field of stars. The gas is coloured along an emission-
nebula ramp whose brightness rises monotonically (deep violet dust, crimson hydrogen, rose,
blue-white hot cores), so a grey image tells the network which colour belongs where.
"""

import numpy as np

from procedural import fbm, ramp_colour, write_images

SIZE = 256

RAMP = np.array([
    [0.00, 0.005, 0.005, 0.02],
    [0.18, 0.10, 0.02, 0.16],
    [0.40, 0.55, 0.05, 0.22],
    [0.62, 0.92, 0.30, 0.35],
    [0.82, 0.75, 0.80, 1.00],
    [1.00, 0.97, 0.98, 1.00],
])


def clouds(rng, y, x):
    mask = np.zeros((SIZE, SIZE))
    for _ in range(rng.integers(1, 4)):
        cy, cx = rng.uniform(0.1, 0.9, 2)
        radius = rng.uniform(0.25, 0.6)
        mask += np.exp(-((y - cy) ** 2 + (x - cx) ** 2) / radius ** 2)
    return np.clip(mask, 0, 1)


def gas(rng, y, x):
    soft = fbm(rng, SIZE, rng.integers(2, 5), 5)
    ridged = 1 - np.abs(2 * fbm(rng, SIZE, rng.integers(3, 6), 5) - 1)
    density = 0.7 * soft + 0.8 * ridged ** rng.uniform(2.5, 5) * soft
    density = density * clouds(rng, y, x) * rng.uniform(1.0, 1.5) - rng.uniform(0.05, 0.2)
    dust = np.clip((fbm(rng, SIZE, rng.integers(3, 7), 4) - 0.55) * 4, 0, 1)
    return np.clip(density * (1 - 0.8 * dust), 0, 1)


def stars(rng, y, x):
    light = np.zeros((SIZE, SIZE))
    # Few, soft stars: specks too small to survive the look's blur only teach the network to
    # sprinkle dots on a grid.
    for _ in range(rng.integers(15, 70)):
        sy, sx = rng.uniform(0, 1, 2)
        sigma = rng.uniform(0.9, 1.8) / SIZE
        if rng.random() < 0.15:
            sigma *= rng.uniform(2, 3.5)
        light += rng.uniform(0.3, 1.0) * np.exp(-((y - sy) ** 2 + (x - sx) ** 2) / (2 * sigma ** 2))
    return np.clip(light, 0, 1)


def nebula(rng):
    y, x = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    image = ramp_colour(RAMP, gas(rng, y, x))
    starlight = stars(rng, y, x)[..., None]
    image = image * (1 - starlight) + starlight * np.array([0.95, 0.97, 1.0])
    return (np.clip(image, 0, 1) * 255).astype(np.uint8)


def main():
    write_images(nebula, "cosmos")


if __name__ == "__main__":
    main()
