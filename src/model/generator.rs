//! The generator a model package describes: a U-Net or a ResNet, with its channels and norm.

use burn::prelude::*;
use serde::{Deserialize, Serialize};

use super::norm::NormKind;
use super::resnet::{Resnet, ResnetConfig};
use super::state_dict::{StateDict, Walk, WeightsError};
use super::unet::{Unet, UnetConfig};
use super::upsample::Upsample;

/// The architecture names the reference's `--netG` flag uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Arch {
    /// U-Net with this many stride-2 levels (`unet_256` = 8, `unet_128` = 7).
    Unet { levels: usize },
    /// ResNet with this many residual blocks (`resnet_9blocks`, `resnet_6blocks`).
    Resnet { blocks: usize },
}

impl Arch {
    /// The U-Net depth that brings `size` down to a 1×1 bottleneck.
    pub fn unet_for(size: usize) -> Self {
        Arch::Unet {
            levels: size.max(32).ilog2() as usize,
        }
    }

    /// A U-Net of `levels` stride-2 levels, or of log2(`size`) when none is given.
    pub fn unet_with(size: usize, levels: Option<usize>) -> Self {
        levels.map_or_else(|| Self::unet_for(size), |levels| Arch::Unet { levels })
    }

    /// Input sizes must be multiples of this.
    pub fn granularity(self) -> usize {
        match self {
            Arch::Unet { levels } => 1 << levels,
            Arch::Resnet { .. } => 4,
        }
    }
}

impl std::str::FromStr for Arch {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || {
            format!("unknown architecture `{s}` (unet_256, unet_128, unet_<size>, resnet_9blocks, resnet_6blocks)")
        };
        if let Some(size) = s.strip_prefix("unet_") {
            let size: usize = size.parse().map_err(|_| bad())?;
            if !size.is_power_of_two() || !(32..=4096).contains(&size) {
                return Err(bad());
            }
            Ok(Arch::unet_for(size))
        } else if let Some(blocks) = s
            .strip_prefix("resnet_")
            .and_then(|b| b.strip_suffix("blocks"))
        {
            Ok(Arch::Resnet {
                blocks: blocks.parse().map_err(|_| bad())?,
            })
        } else {
            Err(bad())
        }
    }
}

impl std::fmt::Display for Arch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Arch::Unet { levels } => write!(f, "unet_{}", 1usize << levels),
            Arch::Resnet { blocks } => write!(f, "resnet_{blocks}blocks"),
        }
    }
}

impl TryFrom<String> for Arch {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Arch> for String {
    fn from(arch: Arch) -> String {
        arch.to_string()
    }
}

/// Everything needed to rebuild a generator before its weights are loaded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeneratorConfig {
    pub arch: Arch,
    pub ngf: usize,
    #[serde(default = "one")]
    pub input_nc: usize,
    #[serde(default = "three")]
    pub output_nc: usize,
    pub norm: NormKind,
    /// Dropout layers exist (they train with it); inference never drops.
    #[serde(default)]
    pub dropout: bool,
    /// How the decoder doubles its maps; packages from before the choice are `transpose`.
    #[serde(default)]
    pub upsample: Upsample,
}

fn one() -> usize {
    1
}
fn three() -> usize {
    3
}

impl GeneratorConfig {
    pub fn new(arch: Arch, ngf: usize, norm: NormKind) -> Self {
        Self {
            arch,
            ngf,
            input_nc: 1,
            output_nc: 3,
            norm,
            dropout: matches!(arch, Arch::Unet { .. }),
            upsample: Upsample::Transpose,
        }
    }

    pub fn init<B: Backend>(&self, device: &B::Device) -> Generator<B> {
        match self.arch {
            Arch::Unet { levels } => Generator::Unet(
                UnetConfig::new()
                    .with_input_nc(self.input_nc)
                    .with_output_nc(self.output_nc)
                    .with_num_downs(levels)
                    .with_ngf(self.ngf)
                    .with_norm(self.norm)
                    .with_dropout(self.dropout)
                    .with_upsample(self.upsample)
                    .init(device),
            ),
            Arch::Resnet { blocks } => Generator::Resnet(
                ResnetConfig::new()
                    .with_input_nc(self.input_nc)
                    .with_output_nc(self.output_nc)
                    .with_blocks(blocks)
                    .with_ngf(self.ngf)
                    .with_norm(self.norm)
                    .with_dropout(self.dropout)
                    .with_upsample(self.upsample)
                    .init(device),
            ),
        }
    }

    /// Builds the generator and fills it from PyTorch-named weights, checking every shape.
    pub fn load<B: Backend>(
        &self,
        mut weights: StateDict,
        device: &B::Device,
    ) -> Result<Generator<B>, WeightsError> {
        weights.drop_bookkeeping();
        let generator = self.init::<B>(device).walk(&mut Walk::Load(&mut weights))?;
        weights.ensure_consumed()?;
        Ok(generator)
    }
}

// One generator per loaded model: the variants' size difference costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Generator<B: Backend> {
    Unet(Unet<B>),
    Resnet(Resnet<B>),
}

impl<B: Backend> Generator<B> {
    /// `[N, input_nc, H, W]` in [-1, 1] → `[N, output_nc, H, W]` in [-1, 1].
    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 4> {
        match self {
            Self::Unet(net) => net.forward(x),
            Self::Resnet(net) => net.forward(x),
        }
    }

    pub fn input_channels(&self) -> usize {
        match self {
            Self::Unet(net) => net.input_channels(),
            Self::Resnet(net) => net.input_channels(),
        }
    }

    pub fn walk(self, walk: &mut Walk) -> Result<Self, WeightsError> {
        Ok(match self {
            Self::Unet(net) => Self::Unet(net.walk(walk)?),
            Self::Resnet(net) => Self::Resnet(net.walk(walk)?),
        })
    }

    /// The weights under the reference implementation's key names.
    pub fn state_dict(self) -> StateDict {
        let mut dict = StateDict::default();
        self.walk(&mut Walk::Save(&mut dict))
            .expect("saving never fails");
        dict
    }
}
