//! What a training run is: data, network sizes, schedule. Saved in every checkpoint so
//! `--resume` continues the same run.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::look::random::Flip;
use crate::model::package::EarlierRun;
use crate::model::{Arch, GeneratorConfig, NormKind, Upsample};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ArchFamily {
    Unet,
    Resnet,
}

impl std::str::FromStr for ArchFamily {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "unet" => Ok(Self::Unet),
            "resnet" => Ok(Self::Resnet),
            other => Err(format!("unknown arch `{other}` (unet | resnet)")),
        }
    }
}

impl std::fmt::Display for ArchFamily {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Unet => "unet",
            Self::Resnet => "resnet",
        })
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TrainConfig {
    pub data: PathBuf,
    pub name: String,
    pub arch: ArchFamily,
    pub ngf: usize,
    /// U-Net depth (stride-2 levels); none: log2(size), down to a 1×1 bottleneck. One level
    /// fewer drops the widest layers' two 8·ngf × 8·ngf convolutions (a sixth of the weights).
    #[serde(default)]
    pub levels: Option<usize>,
    /// How the generator's decoder doubles its maps (runs from before the choice: transpose).
    #[serde(default)]
    pub upsample: Upsample,
    pub ndf: usize,
    pub size: usize,
    pub batch: usize,
    /// Total optimiser steps; the learning rate is constant for the first half, then decays
    /// linearly to zero (the reference's n_epochs + n_epochs_decay).
    pub steps: u64,
    pub flip: Flip,
    pub downscale: f32,
    pub norm: NormKind,
    pub lr: f64,
    pub l1_weight: f32,
    pub checkpoint_every: u64,
    pub seed: u64,
    pub workers: usize,
    /// Where run artefacts go: `<runs>/<name>/`.
    pub runs: PathBuf,
    /// A trained model whose generator the run starts from (the discriminator starts fresh).
    #[serde(default)]
    pub init_from: Option<StartFrom>,
}

/// The model a run continues, and its history, kept in the checkpoint: the export replaces the
/// model's own directory when the run keeps its name.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StartFrom {
    pub model: PathBuf,
    pub history: Vec<EarlierRun>,
}

impl StartFrom {
    pub fn steps(&self) -> u64 {
        self.history.iter().map(|run| run.steps).sum()
    }
}

impl TrainConfig {
    pub fn generator(&self) -> GeneratorConfig {
        let arch = match self.arch {
            ArchFamily::Unet => Arch::unet_with(self.size, self.levels),
            ArchFamily::Resnet => Arch::Resnet { blocks: 9 },
        };
        GeneratorConfig {
            upsample: self.upsample,
            ..GeneratorConfig::new(arch, self.ngf, self.norm)
        }
    }

    pub fn run_dir(&self) -> PathBuf {
        self.runs.join(&self.name)
    }
}
