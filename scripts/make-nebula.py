#!/usr/bin/env python3
"""Makes the `nebula` dataset: procedural gas clouds and stars (numpy + Pillow), no downloads.

Usage: make-nebula.py OUT_DIR COUNT [SEED]
Each 256x256 image is domain-warped fractal noise (the gas), coloured along a ramp that runs from
deep blue through magenta and rose to a hot white core (with a per-image hue drift), plus stars.
"""
import os
import sys

import numpy as np
from PIL import Image

SIZE = 256


def value_noise(rng, cells):
    grid = rng.random((cells + 3, cells + 3))
    coords = np.linspace(0, cells, SIZE, endpoint=False)
    i = coords.astype(int)
    f = coords - i
    f = f * f * (3 - 2 * f)
    top = grid[i][:, i] * (1 - f)[None, :] + grid[i][:, i + 1] * f[None, :]
    bottom = grid[i + 1][:, i] * (1 - f)[None, :] + grid[i + 1][:, i + 1] * f[None, :]
    return top * (1 - f)[:, None] + bottom * f[:, None]


def fbm(rng, cells, octaves):
    total, amplitude, weight = np.zeros((SIZE, SIZE)), 1.0, 0.0
    for octave in range(octaves):
        total += amplitude * value_noise(rng, cells * 2 ** octave)
        weight += amplitude
        amplitude *= 0.55
    return total / weight


def warp(field, dx, dy):
    y, x = np.mgrid[0:SIZE, 0:SIZE]
    xs = np.clip((x + dx).astype(int), 0, SIZE - 1)
    ys = np.clip((y + dy).astype(int), 0, SIZE - 1)
    return field[ys, xs]


def ramp(rng):
    drift = rng.uniform(-0.12, 0.12)
    return np.array([
        [0.00, 0.01, 0.01, 0.04],
        [0.20, 0.05, 0.05 + max(drift, 0), 0.22],
        [0.40, 0.32 + drift, 0.08, 0.45],
        [0.60, 0.80, 0.25 + drift, 0.55],
        [0.80, 1.00, 0.62, 0.55 - drift],
        [1.00, 1.00, 0.95, 0.90],
    ])


def nebula(rng):
    base = fbm(rng, rng.integers(2, 4), 6)
    dx = (fbm(rng, 3, 4) - 0.5) * rng.uniform(40, 120)
    dy = (fbm(rng, 3, 4) - 0.5) * rng.uniform(40, 120)
    gas = warp(base, dx, dy)
    gas = np.clip((gas - rng.uniform(0.35, 0.5)) * rng.uniform(1.8, 3.0), 0, 1) ** rng.uniform(0.8, 1.6)
    stops = ramp(rng)
    image = np.stack([np.interp(gas, stops[:, 0], stops[:, c + 1]) for c in range(3)], axis=-1)
    for _ in range(rng.integers(40, 160)):
        x, y = rng.integers(0, SIZE, 2)
        brightness = rng.uniform(0.4, 1.0) ** 2
        radius = rng.integers(1, 3)
        y0, y1, x0, x1 = max(y - radius, 0), min(y + radius + 1, SIZE), max(x - radius, 0), min(x + radius + 1, SIZE)
        image[y0:y1, x0:x1] = np.maximum(image[y0:y1, x0:x1], brightness * 0.6)
        image[y, x] = np.maximum(image[y, x], brightness)
    return (np.clip(image, 0, 1) * 255).astype(np.uint8)


def main():
    out, count = sys.argv[1], int(sys.argv[2])
    rng = np.random.default_rng(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    os.makedirs(out, exist_ok=True)
    for i in range(count):
        Image.fromarray(nebula(rng)).save(f"{out}/nebula_{i:04d}.png")


if __name__ == "__main__":
    main()
