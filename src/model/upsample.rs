//! How a generator's decoder doubles its maps: the reference's stride-2 transposed convolution,
//! or a resize-convolution (nearest-neighbour ×2, then a 3×3 stride-1 convolution).
//!
//! A stride-2 transposed convolution gives even and odd output pixels different sets of
//! weights, so unless training balances them exactly it prints a checkerboard lattice (Odena et
//! al. 2016, "Deconvolution and checkerboard artifacts"). After a nearest-neighbour doubling
//! every output pixel sees the same weights, so a flat input stays flat.
//!
//! The resize-convolution is stored as a stride-1 transposed convolution (`[cin][cout][3][3]`,
//! the same module and record as the reference's layer, so checkpoints keep their format); the
//! stride tells the two apart. The composite is itself a 4×4 stride-2 transposed convolution
//! whose kernel is the 3×3 one summed over a 2×2 box ([`resize_as_transpose`]), which is how the
//! CPU paths run it.

use burn::nn::conv::ConvTranspose2d;
use burn::prelude::*;
use burn::tensor::module::interpolate;
use burn::tensor::ops::{InterpolateMode, InterpolateOptions};
use serde::{Deserialize, Serialize};

use super::conv::conv_transpose;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Upsample {
    /// The reference's ConvTranspose2d (pix2pix layout; loads and exports PyTorch weights).
    #[default]
    Transpose,
    /// Nearest-neighbour ×2, then a 3×3 convolution: no checkerboard lattice.
    Resize,
}

impl std::str::FromStr for Upsample {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "transpose" => Ok(Self::Transpose),
            "resize" => Ok(Self::Resize),
            _ => Err(format!("unknown upsampling `{s}` (transpose, resize)")),
        }
    }
}

impl std::fmt::Display for Upsample {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Transpose => "transpose",
            Self::Resize => "resize",
        })
    }
}

/// One decoder layer `channels[0] → channels[1]` that doubles the maps; `transpose` is the
/// reference's `(kernel, padding, padding_out)` for the transposed convolution.
pub fn up_conv<B: Backend>(
    upsample: Upsample,
    channels: [usize; 2],
    transpose: [usize; 3],
    bias: bool,
    device: &B::Device,
) -> ConvTranspose2d<B> {
    match upsample {
        Upsample::Transpose => {
            let [kernel, padding, padding_out] = transpose;
            conv_transpose(channels, kernel, 2, padding, padding_out, bias, device)
        }
        Upsample::Resize => conv_transpose(channels, 3, 1, 1, 0, bias, device),
    }
}

/// Whether `conv` is the resize-convolution's stride-1 layer.
pub fn is_resize<B: Backend>(conv: &ConvTranspose2d<B>) -> bool {
    conv.stride == [1, 1]
}

/// Runs a layer made by [`up_conv`]: `[N, cin, H, W]` → `[N, cout, 2H, 2W]`.
pub fn up_forward<B: Backend>(conv: &ConvTranspose2d<B>, x: Tensor<B, 4>) -> Tensor<B, 4> {
    if !is_resize(conv) {
        return conv.forward(x);
    }
    let [_, _, height, width] = x.dims();
    let doubled = interpolate(
        x,
        [2 * height, 2 * width],
        InterpolateOptions::new(InterpolateMode::Nearest).with_align_corners(false),
    );
    conv.forward(doubled)
}

/// Taps of the 3×3 kernel that land on tap `k` of the equivalent 4×4 stride-2 kernel, along one
/// axis: `k − 1` and `k`, where they exist.
fn taps(k: usize) -> std::ops::Range<usize> {
    k.saturating_sub(1)..k.min(2) + 1
}

/// `[planes][3][3]` resize kernels → the `[planes][4][4]` stride-2 transposed kernels that
/// compute the same thing, written into `out` (`planes` = cin·cout, PyTorch's `[cin][cout]`
/// order kept).
pub fn resize_as_transpose(kernel: &[f32], out: &mut [f32]) {
    for (small, big) in kernel.chunks_exact(9).zip(out.chunks_exact_mut(16)) {
        for (i, tap) in big.iter_mut().enumerate() {
            let (y, x) = (i / 4, i % 4);
            *tap = taps(y)
                .flat_map(|a| taps(x).map(move |b| small[a * 3 + b]))
                .sum();
        }
    }
}

/// The adjoint of [`resize_as_transpose`]: a gradient with respect to the 4×4 kernels, added
/// into the gradient with respect to the 3×3 ones.
pub fn add_transpose_grad_to_resize(grad_4x4: &[f32], grad_3x3: &mut [f32]) {
    for (big, small) in grad_4x4.chunks_exact(16).zip(grad_3x3.chunks_exact_mut(9)) {
        for (i, tap) in small.iter_mut().enumerate() {
            let (a, b) = (i / 3, i % 3);
            *tap += (a..a + 2)
                .flat_map(|y| (b..b + 2).map(move |x| big[y * 4 + x]))
                .sum::<f32>();
        }
    }
}

#[cfg(test)]
mod tests {
    use burn::backend::Flex;

    use super::*;
    use crate::model::state_dict::to_values;

    type B = Flex;

    fn layer(upsample: Upsample, seed: u64) -> ConvTranspose2d<B> {
        B::seed(&Default::default(), seed);
        let mut conv = up_conv::<B>(upsample, [3, 2], [4, 1, 0], true, &Default::default());
        conv.bias = conv
            .bias
            .map(|b| b.map(|b| b.random_like(burn::tensor::Distribution::Normal(0.0, 0.1))));
        conv
    }

    fn flat_input(side: usize) -> Tensor<B, 4> {
        Tensor::ones([1, 3, side, side], &Default::default())
    }

    /// Spread of one channel's interior values (the border sees the zero padding).
    fn interior_spread(out: &Tensor<B, 4>, side: usize) -> f32 {
        let values = to_values(out.clone().slice([0..1, 0..1, 1..side - 1, 1..side - 1]));
        let max = values.iter().copied().fold(f32::MIN, f32::max);
        let min = values.iter().copied().fold(f32::MAX, f32::min);
        max - min
    }

    #[test]
    fn a_flat_input_stays_flat_after_a_resize_convolution_but_not_a_transposed_one() {
        let resize = up_forward(&layer(Upsample::Resize, 1), flat_input(8));
        let transpose = up_forward(&layer(Upsample::Transpose, 1), flat_input(8));
        assert_eq!(resize.dims(), [1, 2, 16, 16]);
        assert_eq!(transpose.dims(), [1, 2, 16, 16]);
        assert!(interior_spread(&resize, 16) < 1e-5);
        assert!(
            interior_spread(&transpose, 16) > 1e-3,
            "random 4×4 stride-2 weights print a checkerboard on a flat input"
        );
    }

    #[test]
    fn the_equivalent_transposed_kernel_computes_the_resize_convolution() {
        let device = Default::default();
        let resize = layer(Upsample::Resize, 2);
        let mut equivalent = up_conv::<B>(Upsample::Transpose, [3, 2], [4, 1, 0], true, &device);
        let mut kernel = vec![0.0; 2 * 3 * 16];
        resize_as_transpose(&to_values(resize.weight.val()), &mut kernel);
        equivalent.weight = equivalent
            .weight
            .map(|w| Tensor::from_data(TensorData::new(kernel.clone(), w.shape()), &device));
        equivalent.bias = resize.bias.clone();
        let x = Tensor::<B, 4>::random([2, 3, 5, 7], burn::tensor::Distribution::Default, &device);
        let want = to_values(up_forward(&resize, x.clone()));
        let got = to_values(up_forward(&equivalent, x));
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-5, "{g} vs {w}");
        }
    }

    #[test]
    fn the_gradient_map_is_the_adjoint_of_the_kernel_map() {
        // <A·v, g> = <v, Aᵀ·g> for any v and g.
        let v: Vec<f32> = (0..18).map(|i| (i as f32 * 0.37).sin()).collect();
        let g: Vec<f32> = (0..32).map(|i| (i as f32 * 0.91).cos()).collect();
        let mut av = vec![0.0; 32];
        resize_as_transpose(&v, &mut av);
        let mut atg = vec![0.0; 18];
        add_transpose_grad_to_resize(&g, &mut atg);
        let left: f32 = av.iter().zip(&g).map(|(a, b)| a * b).sum();
        let right: f32 = v.iter().zip(&atg).map(|(a, b)| a * b).sum();
        assert!((left - right).abs() < 1e-4, "{left} vs {right}");
    }
}
