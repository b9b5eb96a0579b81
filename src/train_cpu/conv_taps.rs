//! A convolution with one output channel (the PatchGAN's logit map), computed the transposed
//! way: one product gives each input pixel's contribution through each of the 16 taps, then
//! the taps are summed into place. im2col would copy the input 16 times over (118 MB for a
//! 512-channel 31² map of a batch of 4) to feed a product with a single row.

use rayon::prelude::*;

use super::conv::sized;
use super::product::{add_product_nt, product, View};
use super::window::{activate, add_gated, Activation, Window, KERNEL, TAPS};

/// For each tap (ky, kx) and each output line (image n, row oy): the input line it reads and the
/// output and input column ranges that meet inside the maps.
fn for_each_tap_line(window: Window, mut f: impl FnMut(usize, usize, usize, usize, usize, usize)) {
    let Window {
        stride,
        side,
        batch,
    } = window;
    let out_side = window.out_side();
    for tap in 0..TAPS {
        let (ky, kx) = (tap / KERNEL, tap % KERNEL);
        for n in 0..batch {
            for oy in 0..out_side {
                let Some(iy) = (oy * stride + ky).checked_sub(1).filter(|&iy| iy < side) else {
                    continue;
                };
                // Output columns whose input column ox·s + kx − 1 lies in [0, side).
                let first = (1usize.saturating_sub(kx)).div_ceil(stride);
                let last = ((side + stride - kx) / stride).min(out_side);
                if first >= last {
                    continue;
                }
                let out_at = (n * out_side + oy) * out_side;
                let in_at = (n * side + iy) * side;
                f(tap, out_at, in_at, first, last, kx);
            }
        }
    }
}

/// `out[1 × columns] = W · im2col(activation(input)) + bias`, without the im2col.
#[allow(clippy::too_many_arguments)]
pub fn forward(
    weight: &[f32],
    bias: Option<f32>,
    input: &[f32],
    cin: usize,
    window: Window,
    activation: Activation,
    scratch: &mut Vec<f32>,
    out: &mut [f32],
) {
    let plane = window.in_plane();
    let stride = window.stride;
    let scratch = sized(scratch, cin * plane + TAPS * plane);
    let (activated, taps) = scratch.split_at_mut(cin * plane);
    activated
        .par_chunks_mut(plane)
        .zip(input[..cin * plane].par_chunks(plane))
        .for_each(|(a, x)| activate(activation, x, a));
    // taps[tap × pixel] = Σ_c W[c, tap] · x[c, pixel]
    product(
        taps,
        View::new(weight, cin, TAPS).t(),
        View::new(activated, cin, plane),
        false,
    );
    let out = &mut out[..window.columns()];
    out.fill(bias.unwrap_or(0.0));
    for_each_tap_line(window, |tap, out_at, in_at, first, last, kx| {
        let source = &taps[tap * plane + in_at..];
        for ox in first..last {
            out[out_at + ox] += source[ox * stride + kx - 1];
        }
    });
}

/// Adds the weight (and bias) gradients and, when `grad` is given, the input gradient through
/// the activation.
#[allow(clippy::too_many_arguments)]
pub fn backward(
    weight: &[f32],
    weight_grad: &mut [f32],
    bias_grad: Option<&mut f32>,
    input: &[f32],
    cin: usize,
    window: Window,
    activation: Activation,
    g_out: &[f32],
    params: bool,
    grad: Option<&mut [f32]>,
    scratch: &mut Vec<f32>,
) {
    let plane = window.in_plane();
    let stride = window.stride;
    let scratch = sized(scratch, TAPS * plane + cin * plane);
    let (spread, rest) = scratch.split_at_mut(TAPS * plane);
    // spread[tap × pixel]: the output gradient at the pixel that reads `pixel` through `tap`.
    spread.fill(0.0);
    for_each_tap_line(window, |tap, out_at, in_at, first, last, kx| {
        let target = &mut spread[tap * plane + in_at..];
        for ox in first..last {
            target[ox * stride + kx - 1] = g_out[out_at + ox];
        }
    });
    if params {
        let activated = &mut rest[..cin * plane];
        activated
            .par_chunks_mut(plane)
            .zip(input[..cin * plane].par_chunks(plane))
            .for_each(|(a, x)| activate(activation, x, a));
        add_product_nt(weight_grad, activated, spread, [cin, TAPS, plane]);
        if let Some(b) = bias_grad {
            *b += g_out[..window.columns()]
                .iter()
                .map(|&g| f64::from(g))
                .sum::<f64>() as f32;
        }
    }
    if let Some(grad) = grad {
        let g_input = &mut rest[..cin * plane];
        product(
            g_input,
            View::new(weight, cin, TAPS),
            View::new(spread, TAPS, plane),
            false,
        );
        grad[..cin * plane]
            .par_chunks_mut(plane)
            .zip(g_input.par_chunks(plane))
            .zip(input[..cin * plane].par_chunks(plane))
            .for_each(|((out, g), x)| add_gated(activation, g, x, out));
    }
}
