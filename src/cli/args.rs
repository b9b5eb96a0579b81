//! Flags several commands share: where a model comes from, and look overrides.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use learning_to_see::look::Look;
use learning_to_see::model::weights::load_pth;
use learning_to_see::model::{Arch, GeneratorConfig, ModelPackage, NormKind, StateDict};

use super::checks;

/// Which implementation does the arithmetic (`--backend` of `train` and the benches); where
/// the live show and `render` run is `--device`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ComputeBackend {
    /// The project's own CPU kernels (U-Nets).
    Cpu,
    /// Burn's Flex backend on the CPU: the reference implementation, and ResNets.
    Flex,
    /// Burn on the GPU through burn-wgpu (lavapipe without a GPU).
    Wgpu,
}

impl std::fmt::Display for ComputeBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Cpu => "cpu",
            Self::Flex => "flex",
            Self::Wgpu => "wgpu",
        })
    }
}

/// How to read a `.pth` file: the reference's own flags.
#[derive(Args, Clone, Debug)]
pub struct PthArgs {
    /// Architecture of the PyTorch file: unet_256, unet_128, resnet_9blocks, resnet_6blocks.
    #[arg(long, default_value = "unet_256")]
    pub arch: Arch,
    #[arg(long, default_value_t = 64, value_parser = checks::count)]
    pub ngf: usize,
    /// Input channels of the file's generator: 1 (grey, as learning-to-see trains) or 3.
    #[arg(long, default_value_t = 3)]
    pub input_nc: usize,
    #[arg(long, default_value = "batch")]
    pub norm: NormKind,
}

impl PthArgs {
    pub fn config(&self) -> Result<GeneratorConfig> {
        if !(self.input_nc == 1 || self.input_nc == 3) {
            bail!("--input-nc must be 1 or 3");
        }
        let mut config = GeneratorConfig::new(self.arch, self.ngf, self.norm);
        config.input_nc = self.input_nc;
        Ok(config)
    }
}

/// A model given as a package directory or a `.pth` file.
#[derive(Args, Clone, Debug)]
pub struct ModelArgs {
    /// A model directory (models/NAME) or a PyTorch .pth state_dict.
    #[arg(long)]
    pub model: PathBuf,
    #[command(flatten)]
    pub pth: PthArgs,
}

/// A model ready to build: its config, weights, native size and look.
pub struct ResolvedModel {
    pub config: GeneratorConfig,
    pub weights: StateDict,
    pub resolution: usize,
    pub look: Look,
}

impl ModelArgs {
    pub fn resolve(&self) -> Result<ResolvedModel> {
        if self.model.is_dir() {
            let package = ModelPackage::open(&self.model)?;
            return Ok(ResolvedModel {
                config: package.meta.generator.clone(),
                weights: package.weights()?,
                resolution: package.meta.resolution,
                look: package.meta.look,
            });
        }
        let config = self.pth.config()?;
        let weights = load_pth(&self.model)?;
        Ok(ResolvedModel {
            resolution: native_size(config.arch),
            config,
            weights,
            look: Look::default(),
        })
    }
}

pub fn native_size(arch: Arch) -> usize {
    match arch {
        Arch::Unet { levels } => 1 << levels,
        Arch::Resnet { .. } => 256,
    }
}

/// Look flags; unset ones keep the base look (the model's, or the defaults).
#[derive(Args, Clone, Debug, Default)]
pub struct LookArgs {
    /// Area-downscale factor (≥ 1; 24 is the Learning-to-See default).
    #[arg(long)]
    pub downscale: Option<f32>,
    /// Added to grey (−1..1).
    #[arg(long, allow_hyphen_values = true)]
    pub brightness: Option<f32>,
    /// Multiplies grey around mid-grey (0..4).
    #[arg(long)]
    pub contrast: Option<f32>,
    #[arg(long)]
    pub invert: bool,
    #[arg(long)]
    pub flip_h: bool,
    #[arg(long)]
    pub flip_v: bool,
    /// Crop a smaller centre square (≥ 1).
    #[arg(long)]
    pub zoom: Option<f32>,
}

impl LookArgs {
    pub fn over(&self, base: Look) -> Result<Look> {
        let look = Look {
            downscale: self.downscale.unwrap_or(base.downscale),
            brightness: self.brightness.unwrap_or(base.brightness),
            contrast: self.contrast.unwrap_or(base.contrast),
            invert: self.invert || base.invert,
            flip_h: self.flip_h || base.flip_h,
            flip_v: self.flip_v || base.flip_v,
            zoom: self.zoom.unwrap_or(base.zoom),
            ..base
        };
        look.validate().context("bad look setting")?;
        Ok(look)
    }
}

/// Opens an image as RGB (grey, palette, 16-bit and alpha images are converted).
pub fn open_rgb(path: &std::path::Path) -> Result<image::RgbImage> {
    let image = image::ImageReader::open(path)
        .with_context(|| format!("cannot open {}", path.display()))?
        .with_guessed_format()?
        .decode()
        .with_context(|| format!("{} is not a readable image", path.display()))?;
    Ok(image.to_rgb8())
}
