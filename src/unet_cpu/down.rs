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
        (cin * TAPS + cout) * out_area.max(MAX_COLUMNS)
    }

    /// `input`: `cin × side²`; `output`: `cout × (side/2)²`.
    pub fn forward(&self, input: &[f32], side: usize, output: &mut [f32], scratch: &mut [f32]) {
        let [cin, cout] = self.channels;
        let out_side = side / 2;
        let out_area = out_side * out_side;
        let depth = cin * TAPS;
        let output = &mut output[..cout * out_area];
        let slope = if self.leaky_input { LEAKY_SLOPE } else { 1.0 };
        let band_rows = (BAND_FLOATS / (depth * out_side)).max(MIN_BAND_PIXELS.div_ceil(out_side));
        if out_area <= MAX_COLUMNS || band_rows * 2 > out_side {
            let (columns, rest) = scratch.split_at_mut(depth * out_area);
            columns
                .par_chunks_mut(depth.div_ceil(4) * out_area)
                .enumerate()
                .for_each(|(part, columns)| {
                    im2col_rows(input, side, slope, part * depth.div_ceil(4), columns)
                });
            let shape = [cout, depth, out_area];
            if matmul_narrow(output, &self.weight, columns, Some(&self.bias), shape, rest) {
                return finish(output, out_area, None, self.finish);
            }
            matmul(output, &self.weight, columns, shape);
            return finish(output, out_area, Some(&self.bias), self.finish);
        }
        // Bands of output rows, each gathered and multiplied by one thread while its columns
        // are still in cache.
        let band = band_rows * out_side;
        let bands: Vec<_> = scratch[..(depth + cout) * out_area]
            .par_chunks_mut((depth + cout) * band)
            .enumerate()
            .map(|(index, scratch)| {
                let rows = index * band_rows..((index + 1) * band_rows).min(out_side);
                let pixels = rows.len() * out_side;
                let (columns, product) = scratch.split_at_mut(depth * pixels);
                im2col(input, side, slope, rows, columns);
                matmul_here(product, &self.weight, columns, [cout, depth, pixels]);
                (index * band, pixels)
            })
            .collect();
        let scratch = &scratch[..];
        output
            .par_chunks_mut(out_area)
            .enumerate()
            .for_each(|(channel, plane)| {
                for &(start, pixels) in &bands {
                    let product = &scratch[(depth + cout) * start + depth * pixels..];
                    let product = &product[channel * pixels..][..pixels];
                    let b = self.bias[channel];
                    for (o, &v) in plane[start..start + pixels].iter_mut().zip(product) {
                        *o = v + b;
                    }
                }
            });
        finish(output, out_area, None, self.finish);
    }
}

/// Floats of im2col columns one band gathers: well inside a core's L2 cache.
const BAND_FLOATS: usize = 128 * 1024;
/// Pixels a band has at least, so that packing the weights for it stays a small part of its
/// product.
const MIN_BAND_PIXELS: usize = 256;

/// The im2col matrix of output rows `rows`: `16·cin` rows, one per (channel, tap), of
/// `rows.len() · side/2` pixels.
fn im2col(input: &[f32], side: usize, slope: f32, rows: Range<usize>, columns: &mut [f32]) {
    let pixels = rows.len() * (side / 2);
    for (row, column) in columns.chunks_exact_mut(pixels).enumerate() {
        let plane = &input[(row / TAPS) * side * side..][..side * side];
        let (ky, kx) = ((row % TAPS) / KERNEL, row % KERNEL);
        gather(plane, side, [ky, kx], slope, rows.start, column);
    }
}

/// Whole-picture im2col rows from (channel, tap) row `first` on.
fn im2col_rows(input: &[f32], side: usize, slope: f32, first: usize, columns: &mut [f32]) {
    let pixels = (side / 2) * (side / 2);
    for (row, column) in (first..).zip(columns.chunks_exact_mut(pixels)) {
        let plane = &input[(row / TAPS) * side * side..][..side * side];
        let (ky, kx) = ((row % TAPS) / KERNEL, row % KERNEL);
        gather(plane, side, [ky, kx], slope, 0, column);
    }
}

/// One im2col row: for every output pixel, the input pixel that tap `[ky, kx]` of its 4×4
/// stride-2 window sees, through LeakyReLU with `slope` (1: identity); zero outside the picture.
fn gather(
    plane: &[f32],
    side: usize,
    [ky, kx]: [usize; 2],
    slope: f32,
    first_row: usize,
    column: &mut [f32],
) {
    let out_side = side / 2;
    // ix = 2·ox + kx − 1: only ox = 0 with kx = 0 and the last ox with kx = 3 fall outside.
    let first = usize::from(kx == 0);
    let last = out_side - usize::from(kx == KERNEL - 1);
    for (oy, row) in (first_row..).zip(column.chunks_exact_mut(out_side)) {
        let iy = (2 * oy + ky).wrapping_sub(1);
        if iy >= side {
            row.fill(0.0);
            continue;
        }
        let line = &plane[iy * side..][..side];
        row[..first].fill(0.0);
        row[last..].fill(0.0);
        for (ox, v) in row[first..last].iter_mut().enumerate() {
            let x = line[2 * (ox + first) + kx - 1];
            *v = if x < 0.0 { x * slope } else { x };
        }
    }
}
