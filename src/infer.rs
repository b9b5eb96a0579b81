//! Running a generator on looks: the backends, and a small wrapper that hides tensors.

use anyhow::{bail, Result};
use burn::prelude::*;

use crate::model::{Generator, ModelPackage};
use crate::unet_cpu::UnetCpu;

/// The CPU backend: Flex (im2col + gemm, threaded). Chosen by `lts bench generator`: NdArray's
/// transposed convolution is two orders of magnitude slower.
pub type Cpu = burn::backend::Flex;
/// burn-wgpu (WGSL), on a real GPU or on lavapipe; without the fusion wrapper, so that its
/// tensors expose their buffers (the look writes straight into them) and the build stays short.
pub type Gpu = burn::backend::wgpu::CubeBackend<burn::backend::wgpu::WgpuRuntime, f32, i32, u32>;

/// A backend generators run on for single frames: says whether the project's own kernels
/// replace Burn's modules there.
pub trait InferenceBackend: Backend {
    /// What runs a network through Burn on this backend (messages, benchmark tables).
    const BURN_PATH: &'static str;

    /// The project's own kernels for `generator`, where this backend has faster ones.
    fn own_kernels(generator: &Generator<Self>) -> Option<UnetCpu> {
        let _ = generator;
        None
    }
}

/// On the CPU a U-Net runs on [`UnetCpu`], which is faster than Burn's modules for inference.
impl InferenceBackend for Cpu {
    const BURN_PATH: &'static str = "flex";

    fn own_kernels(generator: &Generator<Self>) -> Option<UnetCpu> {
        match generator {
            Generator::Unet(unet) => Some(UnetCpu::from_unet(unet)),
            Generator::Resnet(_) => None,
        }
    }
}

impl InferenceBackend for Gpu {
    const BURN_PATH: &'static str = "wgpu";
}

/// A loaded generator ready for single frames, on the backend's fastest path (see
/// [`InferenceBackend::own_kernels`]).
pub struct Inference<B: InferenceBackend> {
    network: Network<B>,
    device: B::Device,
    granularity: usize,
}

enum Network<B: InferenceBackend> {
    Burn(Box<Generator<B>>),
    /// Holds its own copy of the weights; Burn's is dropped.
    Fast(UnetCpu),
}

impl<B: InferenceBackend> Inference<B> {
    pub fn new(generator: Generator<B>, device: B::Device, granularity: usize) -> Self {
        let network = match B::own_kernels(&generator) {
            Some(kernels) => Network::Fast(kernels),
            None => Network::Burn(Box::new(generator)),
        };
        Self {
            network,
            device,
            granularity,
        }
    }

    /// Always through Burn's modules: the reference the fast path is checked against.
    pub fn through_burn(generator: Generator<B>, device: B::Device, granularity: usize) -> Self {
        Self {
            network: Network::Burn(Box::new(generator)),
            device,
            granularity,
        }
    }

    /// What runs the network, for messages and benchmark tables.
    pub fn path(&self) -> &'static str {
        match self.network {
            Network::Fast(_) => "cpu",
            Network::Burn(_) => B::BURN_PATH,
        }
    }

    pub fn from_package(package: &ModelPackage, device: B::Device) -> Result<Self> {
        let generator = package.load::<B>(&device)?;
        Ok(Self::new(
            generator,
            device,
            package.meta.generator.arch.granularity(),
        ))
    }

    pub fn input_channels(&self) -> usize {
        match &self.network {
            Network::Burn(generator) => generator.input_channels(),
            Network::Fast(unet) => unet.input_channels(),
        }
    }

    pub fn device(&self) -> &B::Device {
        &self.device
    }

    /// `channels × size²` floats in [-1, 1] → `3 × size²`. A grey look is repeated for models
    /// that take three channels.
    pub fn run(&self, input: &[f32], size: usize) -> Result<Vec<f32>> {
        if !size.is_multiple_of(self.granularity) {
            bail!(
                "this model needs sizes that are multiples of {}, got {size}",
                self.granularity
            );
        }
        let area = size * size;
        if input.is_empty() || !input.len().is_multiple_of(area) {
            bail!(
                "input has {} values, not a multiple of {size}²",
                input.len()
            );
        }
        let channels = input.len() / area;
        let wanted = self.input_channels();
        let generator = match &self.network {
            Network::Burn(generator) => generator,
            Network::Fast(unet) => {
                return match (channels, wanted) {
                    (c, w) if c == w => unet.run(input, size),
                    (1, w) => unet.run(&input.repeat(w), size),
                    (c, w) => bail!("the model takes {w} channel(s), the input has {c}"),
                };
            }
        };
        let x = Tensor::<B, 4>::from_data(
            TensorData::new(input.to_vec(), [1, channels, size, size]),
            &self.device,
        );
        let x = match (channels, wanted) {
            (c, w) if c == w => x,
            (1, w) => x.repeat_dim(1, w),
            (c, w) => bail!("the model takes {w} channel(s), the input has {c}"),
        };
        let y = generator.forward(x);
        Ok(y.into_data()
            .convert::<f32>()
            .into_vec::<f32>()
            .expect("float output"))
    }
}
