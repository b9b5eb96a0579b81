//! Batch or instance normalisation, as the reference's `--norm` flag chooses.

use burn::nn::{BatchNorm, BatchNormConfig, InstanceNorm, InstanceNormConfig};
use burn::prelude::*;
use burn::tensor::Distribution;
use serde::{Deserialize, Serialize};

use super::state_dict::{Walk, WeightsError};

#[derive(Clone, Debug, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NormKind {
    /// BatchNorm2d with affine scale/shift and running statistics (pix2pix's default).
    Batch,
    /// InstanceNorm2d without affine parameters or running statistics.
    Instance,
}

impl std::str::FromStr for NormKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "batch" => Ok(Self::Batch),
            "instance" => Ok(Self::Instance),
            other => Err(format!("unknown norm `{other}` (batch | instance)")),
        }
    }
}

impl std::fmt::Display for NormKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Batch => "batch",
            Self::Instance => "instance",
        })
    }
}

impl NormKind {
    /// The reference gives convolutions a bias only when the norm has no shift of its own.
    pub fn conv_bias(self) -> bool {
        self == Self::Instance
    }

    pub fn init<B: Backend>(self, channels: usize, device: &B::Device) -> Norm<B> {
        match self {
            Self::Batch => {
                let mut norm = BatchNormConfig::new(channels).init(device);
                let gamma = Tensor::random([channels], Distribution::Normal(1.0, 0.02), device);
                // Keep γ trainable: a fresh tensor is not, and the optimiser would skip it.
                norm.gamma = norm
                    .gamma
                    .map(|old| gamma.set_require_grad(old.is_require_grad()));
                Norm::Batch(norm)
            }
            Self::Instance => Norm::Instance(
                InstanceNormConfig::new(channels)
                    .with_affine(false)
                    .init(device),
            ),
        }
    }
}

/// Training uses batch statistics (autodiff backends), inference the running ones, as PyTorch's
/// `train()`/`eval()` do.
#[derive(Module, Debug)]
pub enum Norm<B: Backend> {
    Batch(BatchNorm<B>),
    Instance(InstanceNorm<B>),
}

impl<B: Backend> Norm<B> {
    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 4> {
        match self {
            Self::Batch(norm) => norm.forward(x),
            Self::Instance(norm) => norm.forward(x),
        }
    }

    pub fn walk(self, key: &str, walk: &mut Walk) -> Result<Self, WeightsError> {
        match self {
            Self::Batch(mut norm) => {
                norm.gamma = walk.param(&format!("{key}.weight"), norm.gamma)?;
                norm.beta = walk.param(&format!("{key}.bias"), norm.beta)?;
                norm.running_mean =
                    walk.running(&format!("{key}.running_mean"), norm.running_mean)?;
                norm.running_var = walk.running(&format!("{key}.running_var"), norm.running_var)?;
                Ok(Self::Batch(norm))
            }
            instance => Ok(instance),
        }
    }
}
