//! Conv2d(cin → cout, 4×4, stride 2, padding 1) for inference: im2col, then one product.

use std::ops::Range;

use rayon::prelude::*;

use super::finish::{finish, Finish};
use super::gemm::{matmul, matmul_here};
use super::narrow::{matmul_narrow, MAX_COLUMNS};
use super::{KERNEL, TAPS};

const LEAKY_SLOPE: f32 = 0.2;

/// One encoder level, reading its input through LeakyReLU(0.2) or not.
pub struct Down {
    pub channels: [usize; 2],
    /// `[cout][cin][4][4]`, as PyTorch and Burn store it: a `cout × 16·cin` matrix.
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
    pub leaky_input: bool,
    pub finish: Finish,
}

impl Down {
    /// Scratch floats `forward` needs for an input `side` pixels square.
    pub fn scratch(&self, side: usize) -> usize {
        let [cin, cout] = self.channels;
        let out_area = (side / 2) * (side / 2);
        (2 * cin * TAPS + cout) * out_area.max(MAX_COLUMNS)
    }

    /// `input`: `cin × side²`; `output`: `cout × (side/2)²`.
    pub fn forward(&self, input: &[f32], side: usize, output: &mut [f32], scratch: &mut [f32]) {
        let [cin, cout] = self.channels;
        let out_side = side / 2;
        let out_area = out_side * out_side;
        let depth = cin * TAPS;
        let output = &mut output[..cout * out_area];
        let slope = if self.leaky_input { LEAKY_SLOPE } else { 1.0 };
        let band_rows = band_rows(depth, out_side);
        if out_area <= MAX_COLUMNS || band_rows == 0 {
            let (columns, rest) = scratch.split_at_mut(depth * out_area);
            let groups = (cin * KERNEL).div_ceil(IM2COL_PARTS);
            columns
                .par_chunks_mut(groups * KERNEL * out_area)
                .enumerate()
                .for_each(|(part, columns)| {
                    im2col(input, side, slope, 0..out_side, part * groups, columns)
                });
            let shape = [cout, depth, out_area];
            if matmul_narrow(output, &self.weight, columns, Some(&self.bias), shape, rest) {
                return finish(output, out_area, None, self.finish.instance_norm());
            }
            matmul(output, &self.weight, columns, shape);
            return finish(
                output,
                out_area,
                Some(&self.bias),
                self.finish.instance_norm(),
            );
        }
        // Bands of output rows, each gathered and multiplied by one thread while its columns
        // are still in cache.
        // Band b's scratch: its columns, then its `cout × pixels` product.
        let band = band_rows * out_side;
        let scratch = &mut scratch[..(depth + cout) * out_area];
        scratch
            .par_chunks_mut((depth + cout) * band)
            .enumerate()
            .for_each(|(index, scratch)| {
                let rows = index * band_rows..((index + 1) * band_rows).min(out_side);
                let pixels = rows.len() * out_side;
                let (columns, product) = scratch.split_at_mut(depth * pixels);
                im2col(input, side, slope, rows, 0, columns);
                matmul_here(product, &self.weight, columns, [cout, depth, pixels]);
            });
        let scratch = &scratch[..];
        output
            .par_chunks_mut(out_area)
            .zip(&self.bias)
            .enumerate()
            .for_each(|(channel, (plane, &bias))| {
                for (index, pixels) in plane.chunks_mut(band).enumerate() {
                    let start = (depth + cout) * index * band + depth * pixels.len();
                    let product = &scratch[start + channel * pixels.len()..][..pixels.len()];
                    for (o, &v) in pixels.iter_mut().zip(product) {
                        *o = v + bias;
                    }
                }
            });
        finish(output, out_area, None, self.finish.instance_norm());
    }
}

/// Output rows per band (0: no bands, one threaded product): bands of about `BAND_FLOATS` im2col
/// floats, at least `MIN_BAND_PIXELS` pixels, and at least one band per thread.
fn band_rows(depth: usize, out_side: usize) -> usize {
    let rows = (BAND_FLOATS / (depth * out_side)).max(MIN_BAND_PIXELS.div_ceil(out_side));
    let rows = rows.min(out_side / rayon::current_num_threads());
    if rows * out_side < SMALLEST_BAND {
        0
    } else {
        rows
    }
}

/// Pieces the im2col of an unbanded layer is shared out in.
const IM2COL_PARTS: usize = 4;
/// Floats of im2col columns one band gathers: well inside a core's L2 cache.
const BAND_FLOATS: usize = 64 * 1024;
/// Pixels a band has, unless that would leave a thread idle: packing the weights for each band
/// must stay a small part of its product.
const MIN_BAND_PIXELS: usize = 128;
/// Below this many pixels a band is not worth its own copy of the packed weights.
const SMALLEST_BAND: usize = 32;

/// The im2col matrix of output rows `rows`, from (channel, kernel row) group `first_group` on:
/// four matrix rows per group, one per kernel column, each `rows.len() · side/2` pixels; input
/// values through LeakyReLU with `slope` (1: identity), zero outside the picture.
///
/// Input column ix = 2·ox + kx − 1, so each input line is split once into its even and odd
/// pixels and the four kernel columns are plain copies: kx 1 and 3 are the even pixels at ox
/// and ox + 1, kx 0 and 2 the odd ones at ox − 1 and ox.
fn im2col(
    input: &[f32],
    side: usize,
    slope: f32,
    rows: Range<usize>,
    first_group: usize,
    columns: &mut [f32],
) {
    let half = side / 2;
    let pixels = rows.len() * half;
    let mut split = vec![0.0; side];
    for (group, block) in (first_group..).zip(columns.chunks_exact_mut(KERNEL * pixels)) {
        let plane = &input[(group / KERNEL) * side * side..][..side * side];
        let ky = group % KERNEL;
        let (k0, rest) = block.split_at_mut(pixels);
        let (k1, rest) = rest.split_at_mut(pixels);
        let (k2, k3) = rest.split_at_mut(pixels);
        for (at, oy) in rows.clone().enumerate() {
            let segment = at * half..(at + 1) * half;
            let iy = (2 * oy + ky).wrapping_sub(1);
            if iy >= side {
                for k in [&mut *k0, &mut *k1, &mut *k2, &mut *k3] {
                    k[segment.clone()].fill(0.0);
                }
                continue;
            }
            let (even, odd) = split.split_at_mut(half);
            let line = &plane[iy * side..][..side];
            for ((pair, e), o) in line
                .chunks_exact(2)
                .zip(even.iter_mut())
                .zip(odd.iter_mut())
            {
                *e = if pair[0] < 0.0 {
                    pair[0] * slope
                } else {
                    pair[0]
                };
                *o = if pair[1] < 0.0 {
                    pair[1] * slope
                } else {
                    pair[1]
                };
            }
            let [k0, k1, k2, k3] =
                [&mut *k0, &mut *k1, &mut *k2, &mut *k3].map(|k| &mut k[segment.clone()]);
            k0[0] = 0.0;
            k0[1..].copy_from_slice(&odd[..half - 1]);
            k1.copy_from_slice(even);
            k2.copy_from_slice(odd);
            k3[..half - 1].copy_from_slice(&even[1..]);
            k3[half - 1] = 0.0;
        }
    }
}
