//! The pipeline off the render thread: newest frame → look → generator → smoothing and
//! crossfade, on the CPU or on the GPU nannou renders with ([`GpuStages`]). Model loads happen
//! on a loader thread; a broken model leaves the current one playing.

use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::Result;
use image::RgbImage;

use super::gpu_link::GpuLink;
use super::gpu_stages::GpuStages;
use super::latest::Latest;
use super::source::SourceHandle;
use super::view::planes_to_rgba;
use crate::infer::{Cpu, Gpu, Inference};
use crate::look::gpu_tensor::SharedGpu;
use crate::look::Look;
use crate::model::{Generator, ModelPackage};

/// What the performer controls that the engine needs each frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    pub look: Look,
    /// 0 = raw output; closer to 1 = smoother (an exponential moving average per frame).
    pub smoothing: f32,
    pub frozen: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            look: Look::default(),
            smoothing: 0.5,
            frozen: false,
        }
    }
}

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

/// Where the generator runs.
pub enum Runner {
    Cpu(Box<Inference<Cpu>>),
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

/// Which device the engine runs the generator on.
#[derive(Clone)]
pub enum Backend {
    Cpu,
    /// nannou's GPU, writing into the textures `link` publishes.
    Gpu(GpuLink),
    /// nannou's GPU unless it is a software rasteriser, where the CPU is faster.
    Auto(GpuLink),
}

struct Crossfade {
    from: Vec<f32>,
    started: Instant,
    seconds: f32,
}

/// The per-frame work, usable synchronously (render, tests) or from the engine thread.
pub struct Pipeline {
    model: Option<LoadedModel>,
    smoothed: Option<Vec<f32>>,
    crossfade: Option<Crossfade>,
    default_size: usize,
    gpu: Option<GpuStages>,
}

impl Pipeline {
    pub fn new(model: Option<LoadedModel>, default_size: usize) -> Self {
        Self {
            model,
            smoothed: None,
            crossfade: None,
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
            stages.start_crossfade(model.crossfade);
        }
        if let Some(from) = self.smoothed.take() {
            if model.size * model.size * 3 == from.len() && model.crossfade > 0.0 {
                self.crossfade = Some(Crossfade {
                    from,
                    started: Instant::now(),
                    seconds: model.crossfade,
                });
            }
        }
        self.model = Some(model);
    }

    /// A crossfade is running or the last output has not reached the screen: another pass is
    /// due even when nothing else changed.
    pub fn unsettled(&self) -> bool {
        let on_gpu = matches!(
            self.model.as_ref().map(|model| &model.runner),
            Some(Runner::Gpu(_))
        );
        self.crossfade.is_some() || (on_gpu && self.gpu.as_ref().is_some_and(GpuStages::unsettled))
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
        let raw = match self.model.as_ref().map(|model| &model.runner) {
            Some(Runner::Cpu(inference)) => inference.run(&look, size)?,
            // No model yet (or one for a device this pipeline lacks): show the look itself, so
            // the stage is never blank.
            _ => look.repeat(3),
        };
        let generator_done = Instant::now();
        let smoothing = settings.smoothing.clamp(0.0, 0.99);
        let smoothed = match self.smoothed.take() {
            Some(mut previous) if previous.len() == raw.len() => {
                for (p, r) in previous.iter_mut().zip(&raw) {
                    *p = *p * smoothing + r * (1.0 - smoothing);
                }
                previous
            }
            _ => raw,
        };
        let mut output = smoothed.clone();
        if let Some(fade) = &self.crossfade {
            let t = fade.started.elapsed().as_secs_f32() / fade.seconds;
            if t >= 1.0 {
                self.crossfade = None;
            } else {
                for (o, f) in output.iter_mut().zip(&fade.from) {
                    *o = f + (*o - f) * t;
                }
            }
        }
        self.smoothed = Some(smoothed);
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
            model: self
                .model_name()
                .unwrap_or("(no model: the look)")
                .to_string(),
        })
    }
}

/// The app's side of a running engine.
pub struct Engine {
    pub outputs: Latest<Output>,
    pub settings: Arc<Mutex<Settings>>,
    /// The last model error (shown in the overlay), cleared by a successful load.
    pub notice: Arc<Mutex<Option<String>>>,
    loads: Sender<(PathBuf, f32)>,
    /// Where the generator runs, once the engine has decided (see [`Backend`]).
    pub device: Arc<OnceLock<String>>,
}

/// How long the engine waits for nannou's renderer to hand over its device.
const GPU_WAIT: Duration = Duration::from_secs(20);

impl Engine {
    pub fn start(source: SourceHandle, settings: Settings, default_size: usize) -> Self {
        Self::start_on(source, settings, default_size, Backend::Cpu)
    }

    pub fn start_on(
        source: SourceHandle,
        settings: Settings,
        default_size: usize,
        backend: Backend,
    ) -> Self {
        let outputs = Latest::default();
        let settings = Arc::new(Mutex::new(settings));
        let notice = Arc::new(Mutex::new(None));
        let device = Arc::new(OnceLock::new());
        // Set once by the engine thread: the GPU models load onto, or none for the CPU.
        let chosen: Arc<OnceLock<Option<Arc<SharedGpu>>>> = Arc::new(OnceLock::new());
        let (loads, load_requests) = channel::<(PathBuf, f32)>();
        let (loaded_tx, loaded_rx) = channel::<Result<LoadedModel, String>>();
        {
            let chosen = Arc::clone(&chosen);
            std::thread::Builder::new()
                .name("lts model loader".into())
                .spawn(move || {
                    for (dir, crossfade) in load_requests {
                        let gpu = wait_for_choice(&chosen);
                        let result = load_model(&dir, crossfade, gpu.as_deref())
                            .map_err(|e| format!("{e:#}"));
                        if loaded_tx.send(result).is_err() {
                            return;
                        }
                    }
                })
                .expect("spawn loader");
        }
        {
            let outputs = outputs.clone();
            let settings = Arc::clone(&settings);
            let notice = Arc::clone(&notice);
            let device = Arc::clone(&device);
            std::thread::Builder::new()
                .name("lts engine".into())
                .spawn(move || {
                    let pipeline = choose(backend, &chosen, &device, &notice, default_size);
                    run(pipeline, source, outputs, settings, notice, loaded_rx)
                })
                .expect("spawn engine");
        }
        Self {
            outputs,
            settings,
            notice,
            loads,
            device,
        }
    }

    /// Asks the loader thread for a model; frames keep coming meanwhile.
    pub fn load(&self, dir: PathBuf, crossfade: f32) {
        let _ = self.loads.send((dir, crossfade));
    }

    pub fn set_settings(&self, settings: Settings) {
        *self.settings.lock().unwrap_or_else(|e| e.into_inner()) = settings;
    }

    pub fn notice(&self) -> Option<String> {
        self.notice
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

fn wait_for_choice(chosen: &OnceLock<Option<Arc<SharedGpu>>>) -> Option<Arc<SharedGpu>> {
    loop {
        if let Some(choice) = chosen.get() {
            return choice.clone();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Picks the device, tells the loader and the app, and builds the pipeline for it.
fn choose(
    backend: Backend,
    chosen: &OnceLock<Option<Arc<SharedGpu>>>,
    device: &OnceLock<String>,
    notice: &Mutex<Option<String>>,
    default_size: usize,
) -> Pipeline {
    let (link, forced) = match backend {
        Backend::Cpu => (None, false),
        Backend::Gpu(link) => (Some(link), true),
        Backend::Auto(link) => (Some(link), false),
    };
    let waited = Instant::now();
    let gpu = link.as_ref().and_then(|link| loop {
        if let Some(gpu) = link.gpu() {
            break Some(gpu);
        }
        if waited.elapsed() > GPU_WAIT {
            *notice.lock().unwrap_or_else(|e| e.into_inner()) =
                Some("the renderer's GPU never came: generator on the CPU".into());
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    });
    let name = |gpu: &SharedGpu| format!("{} ({:?})", gpu.info.name, gpu.info.backend);
    let (pipeline, description, gpu) = match (gpu, link) {
        (Some(gpu), Some(link)) if forced || !gpu.is_software() => {
            let description = format!("GPU, nannou's device: {}", name(&gpu));
            let stages = GpuStages::new(Arc::clone(&gpu), link);
            (
                Pipeline::on_gpu(stages, default_size),
                description,
                Some(gpu),
            )
        }
        (Some(gpu), _) => (
            Pipeline::new(None, default_size),
            format!(
                "CPU (faster here than the software rasteriser {})",
                name(&gpu)
            ),
            None,
        ),
        _ => (Pipeline::new(None, default_size), "CPU".to_string(), None),
    };
    println!("generator on: {description}");
    let _ = device.set(description);
    let _ = chosen.set(gpu);
    pipeline
}

fn run(
    mut pipeline: Pipeline,
    source: SourceHandle,
    outputs: Latest<Output>,
    settings: Arc<Mutex<Settings>>,
    notice: Arc<Mutex<Option<String>>>,
    loaded: Receiver<Result<LoadedModel, String>>,
) {
    let mut frame: Option<Arc<RgbImage>> = None;
    let mut last_settings: Option<Settings> = None;
    let mut new_model = false;
    loop {
        while let Ok(result) = loaded.try_recv() {
            let mut notice = notice.lock().unwrap_or_else(|e| e.into_inner());
            match result {
                Ok(model) => {
                    tracing::info!("model {} loaded", model.name);
                    *notice = None;
                    pipeline.set_model(model);
                    new_model = true;
                }
                Err(error) => {
                    tracing::error!("model not loaded: {error}");
                    *notice = Some(format!("model not loaded: {error}"));
                }
            }
        }
        let fresh = source
            .frames
            .take()
            .map(|newest| frame = Some(Arc::new(newest)))
            .is_some();
        let current = *settings.lock().unwrap_or_else(|e| e.into_inner());
        let changed = last_settings != Some(current);
        // Work only when something moved: a new frame, a knob, a model (a still frame must
        // show the new one), or a crossfade in progress.
        let Some(input) = frame
            .clone()
            .filter(|_| fresh || changed || new_model || pipeline.unsettled())
        else {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        last_settings = Some(current);
        new_model = false;
        if current.frozen {
            std::thread::sleep(Duration::from_millis(10));
            continue;
        }
        match pipeline.process(input, &current) {
            Ok(output) => outputs.put(output),
            Err(error) => {
                *notice.lock().unwrap_or_else(|e| e.into_inner()) = Some(format!("{error:#}"));
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}
