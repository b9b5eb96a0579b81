//! A trained [`Unet`] as a [`UnetCpu`]: weights read out once, batch norm folded in.

use burn::prelude::*;

use super::{Down, Finish, UnetCpu, Up, TAPS};
use crate::model::norm::Norm;
use crate::model::unet::Unet;

/// Per output channel `y ↦ scale·y + shift`, what a norm in eval mode does when it can be
/// folded; or the instance norm that cannot.
enum Fold {
    Affine { scale: Vec<f32>, shift: Vec<f32> },
    Instance(f32),
}

fn fold<B: Backend>(norm: &Norm<B>) -> Fold {
    match norm {
        Norm::Batch(norm) => {
            let gamma = values(norm.gamma.val());
            let beta = values(norm.beta.val());
            let mean = values(norm.running_mean.value());
            let var = values(norm.running_var.value());
            let scale: Vec<f32> = gamma
                .iter()
                .zip(&var)
                .map(|(g, v)| (f64::from(*g) / (f64::from(*v) + norm.epsilon).sqrt()) as f32)
                .collect();
            let shift = beta
                .iter()
                .zip(&mean)
                .zip(&scale)
                .map(|((b, m), s)| b - m * s)
                .collect();
            Fold::Affine { scale, shift }
        }
        Norm::Instance(norm) => Fold::Instance(norm.epsilon as f32),
    }
}

fn values<B: Backend, const D: usize>(tensor: Tensor<B, D>) -> Vec<f32> {
    tensor
        .into_data()
        .convert::<f32>()
        .into_vec::<f32>()
        .expect("float weights")
}

/// Scales each output channel's weights and bias by the fold; `channel_of` maps a weight index
/// to its output channel. Returns the finish the layer still needs.
fn apply(
    fold: Option<Fold>,
    weight: &mut [f32],
    bias: &mut [f32],
    channel_of: impl Fn(usize) -> usize,
) -> Finish {
    match fold {
        None => Finish::None,
        Some(Fold::Instance(epsilon)) => Finish::InstanceNorm(epsilon),
        Some(Fold::Affine { scale, shift }) => {
            for (i, w) in weight.iter_mut().enumerate() {
                *w *= scale[channel_of(i)];
            }
            for ((b, s), t) in bias.iter_mut().zip(&scale).zip(&shift) {
                *b = *b * s + t;
            }
            Finish::None
        }
    }
}

impl UnetCpu {
    /// The same network as `unet.forward` in eval mode (running statistics, no dropout).
    pub fn from_unet<B: Backend>(unet: &Unet<B>) -> Self {
        let downs = unet
            .downs
            .iter()
            .enumerate()
            .map(|(level, down)| {
                let [cout, cin, _, _] = down.conv.weight.dims();
                let mut weight = values(down.conv.weight.val());
                let mut bias = down
                    .conv
                    .bias
                    .as_ref()
                    .map_or_else(|| vec![0.0; cout], |b| values(b.val()));
                let per_channel = cin * TAPS;
                let finish = apply(down.norm.as_ref().map(fold), &mut weight, &mut bias, |i| {
                    i / per_channel
                });
                Down {
                    channels: [cin, cout],
                    weight,
                    bias,
                    leaky_input: level > 0,
                    finish,
                }
            })
            .collect();
        let ups = unet
            .ups
            .iter()
            .enumerate()
            .map(|(level, up)| {
                let [cin, cout, _, _] = up.conv.weight.dims();
                // [cin][cout·16] → [cout·16][cin].
                let stored = values(up.conv.weight.val());
                let mut weight = vec![0.0; stored.len()];
                for (i, row) in stored.chunks_exact(cout * TAPS).enumerate() {
                    for (j, &w) in row.iter().enumerate() {
                        weight[j * cin + i] = w;
                    }
                }
                let mut bias = up
                    .conv
                    .bias
                    .as_ref()
                    .map_or_else(|| vec![0.0; cout], |b| values(b.val()));
                let per_channel = TAPS * cin;
                let finish = apply(up.norm.as_ref().map(fold), &mut weight, &mut bias, |i| {
                    i / per_channel
                });
                Up {
                    channels: [cin, cout],
                    weight,
                    bias,
                    finish: if level == 0 { Finish::Tanh } else { finish },
                    relu_output: false,
                }
            })
            .collect();
        UnetCpu::new(downs, ups)
    }
}
