//! The pipeline off the render thread: newest frame → look → generator → smoothing and
//! crossfade, on the CPU or on the GPU nannou renders with ([`GpuStages`]). Model loads happen
//! on a loader thread; a broken model leaves the current one playing.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use image::RgbImage;

use super::gpu_stages::GpuStages;
use super::post::Post;
use super::view::planes_to_rgba;
use crate::gpu::tensor::SharedGpu;
use crate::infer::{Cpu, Gpu, Inference};
use crate::model::{Generator, ModelPackage};

mod thread;

pub use crate::show::Settings;
pub use thread::{Engine, Loader, STALL};

#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    pub look_ms: f32,
    pub generator_ms: f32,
    pub total_ms: f32,
}

/// One finished frame: all planes are `size²` (output has three), values in [-1, 1], with
/// their RGBA8 texture bytes. On the GPU path the planes stay on the device (already in the
/// sketch's textures) and these vectors are empty.
#[derive(Clone)]
pub struct Output {
    pub size: usize,
    pub output: Vec<f32>,
    pub look: Vec<f32>,
    pub output_rgba: Vec<u8>,
    pub look_rgba: Vec<u8>,
    pub on_gpu: bool,
    pub frame: Arc<RgbImage>,
    pub timings: Timings,
    pub model: String,
}

/// The model name of outputs made while no model is loaded (the look itself is shown).
pub const NO_MODEL: &str = "(no model: the look)";

/// How the notice of a model that failed to load starts; a good load clears it (but not news
/// of a restart).
pub const MODEL_NOT_LOADED: &str = "model not loaded";

/// Turns a look into a picture, frame by frame, on the CPU: the project's U-Net kernels or
/// Burn (and, in tests, a generator that fails on cue).
pub trait FrameGenerator: Send {
    /// `1 × size²` look planes in [-1, 1] → `3 × size²`.
    fn generate(&mut self, look: &[f32], size: usize) -> Result<Vec<f32>>;
}

impl FrameGenerator for Inference<Cpu> {
    fn generate(&mut self, look: &[f32], size: usize) -> Result<Vec<f32>> {
        self.run(look, size)
    }
}

/// Where the generator runs.
pub enum Runner {
    Cpu(Box<dyn FrameGenerator>),
    Gpu(Box<Generator<Gpu>>),
}

pub struct LoadedModel {
    pub name: String,
    pub runner: Runner,
    pub size: usize,
    pub crossfade: f32,
}

/// Loads a model directory on the calling thread (the loader thread calls this), onto `gpu`
/// when given, else for the CPU.
pub fn load_model(
    dir: &std::path::Path,
    crossfade: f32,
    gpu: Option<&SharedGpu>,
) -> Result<LoadedModel> {
    let package = ModelPackage::open(dir)?;
    let runner = match gpu {
        Some(gpu) => Runner::Gpu(Box::new(package.load::<Gpu>(&gpu.burn_device())?)),
        None => Runner::Cpu(Box::new(Inference::from_package(
            &package,
            Default::default(),
        )?)),
    };
    Ok(LoadedModel {
        name: package.meta.name.clone(),
        size: package.meta.resolution,
        runner,
        crossfade,
    })
}

/// Where the generator runs (`--device`): the renderer's GPU, the CPU, or whichever is faster
/// here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DeviceChoice {
    /// The renderer's GPU, unless it is a software rasteriser (then the CPU, which is faster).
    #[default]
    Auto,
    /// The renderer's GPU, writing straight into the textures the engine's link publishes.
    Gpu,
    Cpu,
}

impl std::str::FromStr for DeviceChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(Self::Auto),
            "gpu" => Ok(Self::Gpu),
            "cpu" => Ok(Self::Cpu),
            other => Err(format!("unknown device `{other}` (auto | gpu | cpu)")),
        }
    }
}

impl std::fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Auto => "auto",
            Self::Gpu => "gpu",
            Self::Cpu => "cpu",
        })
    }
}

/// The per-frame work, usable synchronously (render, tests) or from the engine thread.
pub struct Pipeline {
    model: Option<LoadedModel>,
    post: Post<Vec<f32>>,
    default_size: usize,
    gpu: Option<GpuStages>,
}

impl Pipeline {
    pub fn new(model: Option<LoadedModel>, default_size: usize) -> Self {
        Self {
            model,
            post: Post::default(),
            default_size,
            gpu: None,
        }
    }

    /// A pipeline whose GPU models write into the sketch's textures through `stages`.
    pub fn on_gpu(stages: GpuStages, default_size: usize) -> Self {
        Self {
            gpu: Some(stages),
            ..Self::new(None, default_size)
        }
    }

    pub fn model_name(&self) -> Option<&str> {
        self.model.as_ref().map(|m| m.name.as_str())
    }

    /// Switches model, crossfading from the last output over the model's `crossfade` seconds.
    pub fn set_model(&mut self, model: LoadedModel) {
        if let Some(stages) = &mut self.gpu {
            stages.post.start_crossfade(model.crossfade);
        }
        self.post.start_crossfade(model.crossfade);
        self.model = Some(model);
    }

    /// A new frame, knob or model: smoothing starts gliding towards it again.
    pub fn input_changed(&mut self) {
        self.post.input_changed();
        if let Some(stages) = &mut self.gpu {
            stages.post.input_changed();
        }
    }

    /// A crossfade is running, smoothing has not reached a still picture, or the last output
    /// has not reached the screen: another pass is due even when nothing else changed.
    pub fn unsettled(&self) -> bool {
        let on_gpu = matches!(
            self.model.as_ref().map(|model| &model.runner),
            Some(Runner::Gpu(_))
        );
        match &self.gpu {
            Some(stages) if on_gpu => stages.unsettled(),
            _ => self.post.unsettled(),
        }
    }

    pub fn size(&self) -> usize {
        self.model.as_ref().map_or(self.default_size, |m| m.size)
    }

    pub fn process(&mut self, frame: Arc<RgbImage>, settings: &Settings) -> Result<Output> {
        let size = self.size();
        if let (Some(stages), Some(Runner::Gpu(generator))) = (
            &mut self.gpu,
            self.model.as_ref().map(|model| &model.runner),
        ) {
            let timings = stages.process(generator, &frame, settings, size)?;
            return Ok(Output {
                size,
                output: Vec::new(),
                look: Vec::new(),
                output_rgba: Vec::new(),
                look_rgba: Vec::new(),
                on_gpu: true,
                frame,
                timings,
                model: self.model_name().unwrap_or_default().to_string(),
            });
        }
        let started = Instant::now();
        let look = settings.look.apply(&frame, size)?;
        let look_done = Instant::now();
        let raw = match self.model.as_mut().map(|model| &mut model.runner) {
            Some(Runner::Cpu(generator)) => generator.generate(&look, size)?,
            // No model yet (or one for a device this pipeline lacks): show the look itself, so
            // the stage is never blank.
            _ => look.repeat(3),
        };
        let generator_done = Instant::now();
        let output = self.post.process(raw, settings.smoothing);
        Ok(Output {
            size,
            output_rgba: planes_to_rgba(&output, size),
            look_rgba: planes_to_rgba(&look, size),
            on_gpu: false,
            output,
            look,
            frame,
            timings: Timings {
                look_ms: (look_done - started).as_secs_f32() * 1e3,
                generator_ms: (generator_done - look_done).as_secs_f32() * 1e3,
                total_ms: started.elapsed().as_secs_f32() * 1e3,
            },
            model: self.model_name().unwrap_or(NO_MODEL).to_string(),
        })
    }
}
