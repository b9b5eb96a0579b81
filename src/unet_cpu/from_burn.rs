//! A trained [`Unet`] as a [`UnetCpu`]: weights read out once, batch norm folded in.

use burn::module::Param;
use burn::prelude::*;

use super::{Down, Finish, UnetCpu, Up, TAPS};
use crate::model::norm::Norm;
use crate::model::state_dict::to_values;
use crate::model::unet::Unet;
use crate::model::upsample::{is_resize, resize_as_transpose};

/// Per output channel `y ↦ scale·y + shift`, what a norm in eval mode does when it can be
/// folded; or the instance norm that cannot.
enum Fold {
    Affine { scale: Vec<f32>, shift: Vec<f32> },
    Instance(f32),
}

fn fold<B: Backend>(norm: &Norm<B>) -> Fold {
    match norm {
        Norm::Batch(norm) => {
            let gamma = to_values(norm.gamma.val());
            let beta = to_values(norm.beta.val());
            let mean = to_values(norm.running_mean.value());
            let var = to_values(norm.running_var.value());
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

/// A layer's weights (in the kernel's layout, each output channel's together), its bias (zeros
/// when the convolution has none) and its norm folded in; returns the finish the layer still
/// needs.
fn fold_layer<B: Backend>(
    mut weight: Vec<f32>,
    bias: Option<&Param<Tensor<B, 1>>>,
    channels: usize,
    norm: Option<&Norm<B>>,
) -> (Vec<f32>, Vec<f32>, Finish) {
    let mut bias = bias.map_or_else(|| vec![0.0; channels], |b| to_values(b.val()));
    let per_channel = weight.len() / channels;
    let finish = match norm.map(fold) {
        None => Finish::None,
        Some(Fold::Instance(epsilon)) => Finish::InstanceNorm(epsilon),
        Some(Fold::Affine { scale, shift }) => {
            for (w, s) in weight.chunks_exact_mut(per_channel).zip(&scale) {
                w.iter_mut().for_each(|w| *w *= s);
            }
            for ((b, s), t) in bias.iter_mut().zip(&scale).zip(&shift) {
                *b = *b * s + t;
            }
            Finish::None
        }
    };
    (weight, bias, finish)
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
                let (weight, bias, finish) = fold_layer(
                    to_values(down.conv.weight.val()),
                    down.conv.bias.as_ref(),
                    cout,
                    down.norm.as_ref(),
                );
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
                let mut stored = to_values(up.conv.weight.val());
                if is_resize(&up.conv) {
                    let mut expanded = vec![0.0; cin * cout * TAPS];
                    resize_as_transpose(&stored, &mut expanded);
                    stored = expanded;
                }
                // [cin][cout·16] → [cout·16][cin].
                let mut weight = vec![0.0; stored.len()];
                for (i, row) in stored.chunks_exact(cout * TAPS).enumerate() {
                    for (j, &w) in row.iter().enumerate() {
                        weight[j * cin + i] = w;
                    }
                }
                let (weight, bias, finish) =
                    fold_layer(weight, up.conv.bias.as_ref(), cout, up.norm.as_ref());
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
