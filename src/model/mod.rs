//! The pix2pix networks (Burn modules), their PyTorch-named weights, and model packages.

pub mod conv;
pub mod cost;
pub mod generator;
pub mod norm;
pub mod package;
pub mod patchgan;
pub mod resnet;
pub mod state_dict;
pub mod unet;
pub mod upsample;
pub mod weights;

pub use generator::{Arch, Generator, GeneratorConfig};
pub use norm::NormKind;
pub use package::{ModelMeta, ModelPackage};
pub use state_dict::{StateDict, WeightsError};
pub use upsample::Upsample;
