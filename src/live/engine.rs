//! The pipeline off the render thread: newest frame → look → generator → smoothing and
//! crossfade. Model loads happen on a loader thread; a broken model leaves the current one
//! playing.

use std::path::PathBuf;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;
use image::RgbImage;

use super::latest::Latest;
use super::source::SourceHandle;
use crate::infer::{Cpu, Inference};
use crate::look::Look;
use crate::model::ModelPackage;

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

/// One finished frame: all planes are `size²` (output has three), values in [-1, 1].
#[derive(Clone)]
pub struct Output {
    pub size: usize,
    pub output: Vec<f32>,
    pub look: Vec<f32>,
    pub frame: Arc<RgbImage>,
    pub timings: Timings,
    pub model: String,
}

pub struct LoadedModel {
    pub name: String,
    pub inference: Inference<Cpu>,
    pub size: usize,
    pub crossfade: f32,
}

/// Loads a model directory on the calling thread (the loader thread calls this).
pub fn load_model(dir: &std::path::Path, crossfade: f32) -> Result<LoadedModel> {
    let package = ModelPackage::open(dir)?;
    let inference = Inference::from_package(&package, Default::default())?;
    Ok(LoadedModel {
        name: package.meta.name.clone(),
        size: package.meta.resolution,
        inference,
        crossfade,
    })
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
}

impl Pipeline {
    pub fn new(model: Option<LoadedModel>, default_size: usize) -> Self {
        Self {
            model,
            smoothed: None,
            crossfade: None,
            default_size,
        }
    }

    pub fn model_name(&self) -> Option<&str> {
        self.model.as_ref().map(|m| m.name.as_str())
    }

    /// Switches model, crossfading from the last output over the model's `crossfade` seconds.
    pub fn set_model(&mut self, model: LoadedModel) {
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

    pub fn fading(&self) -> bool {
        self.crossfade.is_some()
    }

    pub fn size(&self) -> usize {
        self.model.as_ref().map_or(self.default_size, |m| m.size)
    }

    pub fn process(&mut self, frame: Arc<RgbImage>, settings: &Settings) -> Result<Output> {
        let started = Instant::now();
        let size = self.size();
        let look = settings.look.apply(&frame, size)?;
        let look_done = Instant::now();
        let raw = match &self.model {
            Some(model) => model.inference.run(&look, size)?,
            // No model yet: show the look itself, so the stage is never blank.
            None => look.repeat(3),
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
}

impl Engine {
    pub fn start(source: SourceHandle, settings: Settings, default_size: usize) -> Self {
        let outputs = Latest::default();
        let settings = Arc::new(Mutex::new(settings));
        let notice = Arc::new(Mutex::new(None));
        let (loads, load_requests) = channel::<(PathBuf, f32)>();
        let (loaded_tx, loaded_rx) = channel::<Result<LoadedModel, String>>();
        std::thread::Builder::new()
            .name("lts model loader".into())
            .spawn(move || {
                for (dir, crossfade) in load_requests {
                    let result = load_model(&dir, crossfade).map_err(|e| format!("{e:#}"));
                    if loaded_tx.send(result).is_err() {
                        return;
                    }
                }
            })
            .expect("spawn loader");
        {
            let outputs = outputs.clone();
            let settings = Arc::clone(&settings);
            let notice = Arc::clone(&notice);
            std::thread::Builder::new()
                .name("lts engine".into())
                .spawn(move || run(source, outputs, settings, notice, loaded_rx, default_size))
                .expect("spawn engine");
        }
        Self {
            outputs,
            settings,
            notice,
            loads,
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

fn run(
    source: SourceHandle,
    outputs: Latest<Output>,
    settings: Arc<Mutex<Settings>>,
    notice: Arc<Mutex<Option<String>>>,
    loaded: Receiver<Result<LoadedModel, String>>,
    default_size: usize,
) {
    let mut pipeline = Pipeline::new(None, default_size);
    let mut frame: Option<Arc<RgbImage>> = None;
    let mut last_settings: Option<Settings> = None;
    loop {
        while let Ok(result) = loaded.try_recv() {
            let mut notice = notice.lock().unwrap_or_else(|e| e.into_inner());
            match result {
                Ok(model) => {
                    tracing::info!("model {} loaded", model.name);
                    *notice = None;
                    pipeline.set_model(model);
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
        // Work only when something moved: a new frame, a knob, or a crossfade in progress.
        let Some(input) = frame
            .clone()
            .filter(|_| fresh || changed || pipeline.fading())
        else {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        last_settings = Some(current);
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
