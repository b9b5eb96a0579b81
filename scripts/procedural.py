"""Shared pieces of the procedural datasets (make-fire.py, make-cosmos.py): fractal value noise
and colour ramps. numpy only; every function takes the caller's seeded generator."""
import os
import sys

import numpy as np
from PIL import Image


def value_noise(rng, size, cells):
    grid = rng.random((cells + 3, cells + 3))
    coords = np.linspace(0, cells, size, endpoint=False)
    i = coords.astype(int)
    f = coords - i
    f = f * f * (3 - 2 * f)
    rows = grid[i][:, i] * (1 - f)[None, :] + grid[i][:, i + 1] * f[None, :]
    rows_next = grid[i + 1][:, i] * (1 - f)[None, :] + grid[i + 1][:, i + 1] * f[None, :]
    return rows * (1 - f)[:, None] + rows_next * f[:, None]


def fbm(rng, size, base_cells, octaves):
    total = np.zeros((size, size))
    amplitude, weight = 1.0, 0.0
    for octave in range(octaves):
        total += amplitude * value_noise(rng, size, base_cells * 2 ** octave)
        weight += amplitude
        amplitude *= 0.5
    return total / weight


def ramp_colour(ramp, level):
    """Colours `level` (clipped to 0..1) along `ramp`, rows of [position, r, g, b]."""
    level = np.clip(level, 0, 1)
    out = np.zeros(level.shape + (3,))
    for c in range(3):
        out[..., c] = np.interp(level, ramp[:, 0], ramp[:, c + 1])
    return out


def write_images(make, prefix):
    """The scripts' command line, `OUT_DIR COUNT [SEED]`: writes OUT_DIR/PREFIX_NNNN.png, each
    image made by `make(rng)` from one generator seeded with SEED (default 1)."""
    out, count = sys.argv[1], int(sys.argv[2])
    rng = np.random.default_rng(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    os.makedirs(out, exist_ok=True)
    for i in range(count):
        Image.fromarray(make(rng)).save(f"{out}/{prefix}_{i:04d}.png")
