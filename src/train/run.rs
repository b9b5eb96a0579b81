//! The training loop: pairs in, steps, progress, checkpoints, samples, export.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use burn::prelude::*;
use burn::tensor::backend::AutodiffBackend;

use super::checkpoint;
use super::config::TrainConfig;
use super::data::{scan_images, Item, PairStream};
use super::export::Export;
use super::gan::{Losses, Pix2Pix};
use super::progress::{StepReport, TrainProgress};
use super::report::Report;
use super::schedule::learning_rate;
use crate::look::random::{LookRandomizer, Pair};
use crate::model::ModelPackage;
use crate::train_cpu::Pix2PixCpu;

pub const CHECKPOINT_FILE: &str = "checkpoint.lts";
const SAMPLE_ROWS: usize = 4;

pub struct Outcome {
    pub steps: u64,
    /// Where the run's last checkpoint is (continue an interrupted run from it with --resume).
    pub checkpoint: PathBuf,
    pub interrupted: bool,
    pub images: usize,
    pub skipped: usize,
    pub model: Option<ModelPackage>,
}

/// What takes the training steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stepper {
    /// The project's own CPU kernels (U-Nets); Burn's modules only carry checkpoints, samples
    /// and the export.
    Cpu,
    /// Burn's autodiff on the backend `train` is given: the reference, and the GPU path.
    Burn,
}

/// A run's networks and optimisers, in whichever form steps them.
enum Engine<B: AutodiffBackend> {
    Burn(Box<Pix2Pix<B>>),
    Cpu(Box<Pix2PixCpu>),
}

impl<B: AutodiffBackend> Engine<B> {
    fn step(&mut self, pairs: &[Pair], size: usize, lr: f64, device: &B::Device) -> Losses {
        match self {
            Engine::Burn(gan) => {
                let (input, target) = batch_tensors::<B>(pairs, size, device);
                gan.step(input, target, lr)
            }
            Engine::Cpu(gan) => {
                let input: Vec<f32> = pairs.iter().flat_map(|p| p.input.iter().copied()).collect();
                let target: Vec<f32> = pairs
                    .iter()
                    .flat_map(|p| p.target.iter().copied())
                    .collect();
                gan.step(&input, &target, pairs.len(), size, lr)
            }
        }
    }

    /// Runs `f` on the run as Burn's modules (the CPU trainer's state copied into a fresh
    /// `Pix2Pix` of the same configuration).
    fn with_burn<R>(
        &self,
        config: &TrainConfig,
        device: &B::Device,
        f: impl FnOnce(&Pix2Pix<B>) -> Result<R>,
    ) -> Result<R> {
        match self {
            Engine::Burn(gan) => f(gan),
            Engine::Cpu(gan) => f(&gan.to_burn(Pix2Pix::new(config, device))?),
        }
    }
}

pub struct Destinations<'a> {
    pub models: &'a Path,
    pub command: String,
}

fn batch_tensors<B: Backend>(
    pairs: &[Pair],
    size: usize,
    device: &B::Device,
) -> (Tensor<B, 4>, Tensor<B, 4>) {
    let n = pairs.len();
    let input: Vec<f32> = pairs.iter().flat_map(|p| p.input.iter().copied()).collect();
    let target: Vec<f32> = pairs
        .iter()
        .flat_map(|p| p.target.iter().copied())
        .collect();
    (
        Tensor::from_data(TensorData::new(input, [n, 1, size, size]), device),
        Tensor::from_data(TensorData::new(target, [n, 3, size, size]), device),
    )
}

pub fn train<B: AutodiffBackend>(
    mut config: TrainConfig,
    resume: bool,
    stepper: Stepper,
    device: B::Device,
    stop: &AtomicBool,
    out: Destinations,
    progress: &mut dyn TrainProgress,
) -> Result<Outcome> {
    let paths = scan_images(&config.data)
        .with_context(|| format!("reading dataset {}", config.data.display()))?;
    if paths.is_empty() {
        bail!(
            "no images (jpg, png, webp, bmp, tiff) under {}",
            config.data.display()
        );
    }
    let run_dir = config.run_dir();
    std::fs::create_dir_all(&run_dir).with_context(|| format!("creating {}", run_dir.display()))?;
    let checkpoint_path = run_dir.join(CHECKPOINT_FILE);
    remove_stale_temp_files(&run_dir);

    let mut step = 0;
    let gan = if resume && checkpoint_path.exists() {
        // The run's own settings (networks included); a new --steps/--epochs (non-zero) extends
        // or shortens it.
        let steps_wanted = config.steps;
        let recorded = checkpoint::peek(&checkpoint_path)?.config;
        config = TrainConfig {
            steps: if steps_wanted > 0 {
                steps_wanted
            } else {
                recorded.steps
            },
            ..recorded
        };
        let (loaded, resumed) = checkpoint::load(
            &checkpoint_path,
            Pix2Pix::<B>::new(&config, &device),
            &device,
        )?;
        step = resumed.step;
        tracing::info!(
            "resuming {} from step {step} of {}",
            config.name,
            config.steps
        );
        loaded
    } else if checkpoint_path.exists() {
        bail!(
            "{} already has a checkpoint: pass --resume to continue it, or choose another --name",
            run_dir.display()
        );
    } else if let Some(start) = &config.init_from {
        let generator = ModelPackage::open(&start.model)?.load::<B>(&device)?;
        tracing::info!(
            "{} starts from {} ({} steps so far)",
            config.name,
            start.model.display(),
            start.steps()
        );
        Pix2Pix::<B>::with_generator(&config, generator, &device)
    } else {
        Pix2Pix::<B>::new(&config, &device)
    };

    if config.steps == 0 {
        bail!(
            "no checkpoint to resume in {}: give --steps or --epochs to start a run",
            run_dir.display()
        );
    }
    let mut engine = match stepper {
        Stepper::Burn => Engine::Burn(Box::new(gan)),
        Stepper::Cpu => Engine::Cpu(Box::new(Pix2PixCpu::from_burn(
            &gan,
            config.seed.wrapping_add(step),
        )?)),
    };
    let size = config.size;
    let randomizer = LookRandomizer::new(size, config.downscale, config.flip);
    let stream = PairStream::start(
        paths.clone(),
        randomizer,
        config.workers,
        config.seed.wrapping_add(step),
        config.batch * 3,
    );
    let mut report = Report::open(&run_dir, step)?;
    let mut skipped: HashSet<String> = HashSet::new();
    let next_pair = |skipped: &mut HashSet<String>| -> Result<Pair> {
        loop {
            match stream.next() {
                Some(Item::Pair(pair)) => return Ok(pair),
                Some(Item::Skipped(error)) => {
                    if skipped.insert(error.to_string()) {
                        tracing::warn!("skipping {error}");
                    }
                    if skipped.len() >= paths.len() {
                        bail!(
                            "none of the {} files under {} is a usable image",
                            paths.len(),
                            config.data.display()
                        );
                    }
                }
                None => bail!("the image workers stopped"),
            }
        }
    };
    let samples: Vec<Pair> = (0..SAMPLE_ROWS)
        .map(|_| next_pair(&mut skipped))
        .collect::<Result<_>>()?;
    let steps_per_epoch = (paths.len() as u64).div_ceil(config.batch as u64).max(1);

    progress.start(step, config.steps);
    let started = Instant::now();
    let first_step = step;
    let mut interrupted = false;
    while step < config.steps {
        if stop.load(Ordering::Relaxed) {
            interrupted = true;
            break;
        }
        let pairs: Vec<Pair> = (0..config.batch)
            .map(|_| next_pair(&mut skipped))
            .collect::<Result<_>>()?;
        let lr = learning_rate(config.lr, step, config.steps);
        let losses = engine.step(&pairs, size, lr, &device);
        step += 1;
        let images_per_s =
            ((step - first_step) * config.batch as u64) as f64 / started.elapsed().as_secs_f64();
        report.record(step, lr, losses, images_per_s)?;
        progress.step(&StepReport {
            step,
            steps: config.steps,
            epoch: (step - 1) / steps_per_epoch + 1,
            images_per_s,
            losses,
        });
        if step % config.checkpoint_every == 0 {
            // Rows first: a kill between the two leaves rows past the checkpoint, which the
            // resumed run drops, never a checkpoint past the rows.
            report.flush()?;
            engine.with_burn(&config, &device, |gan| {
                checkpoint::save(&checkpoint_path, gan, step, &config)
            })?;
        }
        if step % steps_per_epoch == 0 || step == config.steps {
            engine.with_burn(&config, &device, |gan| {
                write_samples(
                    gan,
                    &report,
                    &samples,
                    size,
                    step / steps_per_epoch,
                    &device,
                )
            })?;
            report.plot(&config.name)?;
        }
    }
    progress.finish();
    report.flush()?;
    engine.with_burn(&config, &device, |gan| {
        checkpoint::save(&checkpoint_path, gan, step, &config)
    })?;
    report.plot(&config.name)?;
    let images = paths.len() - skipped.len().min(paths.len());
    if interrupted {
        return Ok(Outcome {
            steps: step,
            checkpoint: checkpoint_path,
            interrupted,
            images,
            skipped: skipped.len(),
            model: None,
        });
    }
    let export = Export {
        config: &config,
        images,
        steps: step,
        command: out.command,
        evaluation: None,
    };
    let model = engine.with_burn(&config, &device, |gan| {
        export.write(gan.inference_generator(), out.models)
    })?;
    Ok(Outcome {
        steps: step,
        checkpoint: checkpoint_path,
        interrupted,
        images,
        skipped: skipped.len(),
        model: Some(model),
    })
}

fn write_samples<B: AutodiffBackend>(
    gan: &Pix2Pix<B>,
    report: &Report,
    samples: &[Pair],
    size: usize,
    epoch: u64,
    device: &B::Device,
) -> Result<()> {
    let generator = gan.inference_generator();
    let (input, _) = batch_tensors::<B::InnerBackend>(samples, size, device);
    let output = generator
        .forward(input)
        .into_data()
        .convert::<f32>()
        .into_vec::<f32>()
        .expect("floats");
    let area = 3 * size * size;
    let rows: Vec<_> = samples
        .iter()
        .enumerate()
        .map(|(i, pair)| {
            (
                pair.input.clone(),
                output[i * area..(i + 1) * area].to_vec(),
                pair.target.clone(),
            )
        })
        .collect();
    report.samples(&format!("samples_epoch{epoch:03}.png"), &rows, size)?;
    Ok(())
}

/// A kill during a checkpoint write leaves its temp file behind (the checkpoint itself is
/// intact); tidy those up.
fn remove_stale_temp_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&format!(".{CHECKPOINT_FILE}.")) && name.ends_with(".tmp") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
