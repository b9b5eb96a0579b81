//! Convolution helpers: the reference's initialisation (weights N(0, 0.02), biases 0) and
//! PyTorch-named weights.

use burn::module::{Initializer, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::PaddingConfig2d;
use burn::prelude::*;

use super::state_dict::{Walk, WeightsError};

const INIT: Initializer = Initializer::Normal {
    mean: 0.0,
    std: 0.02,
};

/// The reference starts biases at zero. The new tensor keeps the parameter trainable (a plain
/// `zeros_like` is not, and the optimiser would skip it).
fn zero<B: Backend, const D: usize>(bias: Param<Tensor<B, D>>) -> Param<Tensor<B, D>> {
    bias.map(|b| {
        let trainable = b.is_require_grad();
        b.zeros_like().set_require_grad(trainable)
    })
}

pub fn conv<B: Backend>(
    channels: [usize; 2],
    kernel: usize,
    stride: usize,
    padding: usize,
    bias: bool,
    device: &B::Device,
) -> Conv2d<B> {
    let mut layer = Conv2dConfig::new(channels, [kernel, kernel])
        .with_stride([stride, stride])
        .with_padding(PaddingConfig2d::Explicit(
            padding, padding, padding, padding,
        ))
        .with_bias(bias)
        .with_initializer(INIT)
        .init(device);
    layer.bias = layer.bias.map(zero);
    layer
}

pub fn conv_transpose<B: Backend>(
    channels: [usize; 2],
    kernel: usize,
    stride: usize,
    padding: usize,
    padding_out: usize,
    bias: bool,
    device: &B::Device,
) -> ConvTranspose2d<B> {
    let mut layer = ConvTranspose2dConfig::new(channels, [kernel, kernel])
        .with_stride([stride, stride])
        .with_padding([padding, padding])
        .with_padding_out([padding_out, padding_out])
        .with_bias(bias)
        .with_initializer(INIT)
        .init(device);
    layer.bias = layer.bias.map(zero);
    layer
}

pub fn walk_conv<B: Backend>(
    mut layer: Conv2d<B>,
    key: &str,
    walk: &mut Walk,
) -> Result<Conv2d<B>, WeightsError> {
    layer.weight = walk.param(&format!("{key}.weight"), layer.weight)?;
    if let Some(bias) = layer.bias.take() {
        layer.bias = Some(walk.param(&format!("{key}.bias"), bias)?);
    }
    Ok(layer)
}

pub fn walk_conv_transpose<B: Backend>(
    mut layer: ConvTranspose2d<B>,
    key: &str,
    walk: &mut Walk,
) -> Result<ConvTranspose2d<B>, WeightsError> {
    layer.weight = walk.param(&format!("{key}.weight"), layer.weight)?;
    if let Some(bias) = layer.bias.take() {
        layer.bias = Some(walk.param(&format!("{key}.bias"), bias)?);
    }
    Ok(layer)
}
