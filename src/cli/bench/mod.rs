//! `lts bench`: speed tables, measured in one process so rows are comparable.

use std::time::Instant;

use anyhow::Result;
use burn::prelude::*;
use clap::{Args, Subcommand};
use learning_to_see::infer::{Cpu, Inference};
use learning_to_see::model::cost::generator_macs;
use learning_to_see::model::{Arch, GeneratorConfig, ModelPackage, NormKind};

use super::args::ComputeBackend;
use super::checks;

mod train;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Generator forward time (U-Net, batch 1) per backend and width.
    Generator(GeneratorBench),
    /// The look from a 1920×1080 frame: CPU, and WGSL on the wgpu device (lavapipe or a GPU).
    Look(LookBench),
    /// One pix2pix training step (U-Net + PatchGAN) on batches made beforehand: img/s, GFLOP/s.
    Train(train::TrainBench),
}

#[derive(Args)]
pub struct LookBench {
    #[arg(long, default_value_t = 256)]
    size: usize,
    #[arg(long, default_value_t = 30, value_parser = checks::count)]
    runs: usize,
    /// A photograph to use (scaled to 1920×1080); default: the synthetic scene.
    #[arg(long)]
    image: Option<std::path::PathBuf>,
}

#[derive(Args)]
pub struct GeneratorBench {
    /// Widths to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "16,32,64")]
    ngf: Vec<usize>,
    #[arg(long, default_value_t = 256)]
    size: usize,
    /// Backends, comma-separated: cpu (the default path: the project's own U-Net kernels),
    /// flex (the same network through Burn's Flex backend), wgpu (burn-wgpu on the default
    /// adapter).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "cpu")]
    backend: Vec<ComputeBackend>,
    /// Timed runs per row (after one warm-up); the median is reported.
    #[arg(long, default_value_t = 10, value_parser = checks::count)]
    runs: usize,
    /// One JSON object per row instead of a table.
    #[arg(long)]
    json: bool,
    /// Time this model package (its weights and size) instead of random U-Nets.
    #[arg(long)]
    model: Option<std::path::PathBuf>,
}

pub fn run(command: BenchCommand) -> Result<()> {
    match command {
        BenchCommand::Generator(args) => generator(args),
        BenchCommand::Look(args) => look(args),
        BenchCommand::Train(args) => train::run(args),
    }
}

fn generator(args: GeneratorBench) -> Result<()> {
    if !args.json {
        println!(
            "| backend | ngf | size | ms/frame (median of {}) | GFLOP/s |",
            args.runs
        );
        println!("|---|---|---|---|---|");
    }
    let package = args.model.as_deref().map(ModelPackage::open).transpose()?;
    let widths = match &package {
        Some(package) => vec![package.meta.generator.ngf],
        None => args.ngf.clone(),
    };
    for backend in &args.backend {
        for &ngf in &widths {
            let config = match &package {
                Some(package) => package.meta.generator.clone(),
                None => GeneratorConfig::new(Arch::unet_for(args.size), ngf, NormKind::Batch),
            };
            let subject = Subject {
                config: &config,
                package: package.as_ref(),
                size: args.size,
                runs: args.runs,
            };
            let ms = match backend {
                ComputeBackend::Cpu => subject.time_inference()?,
                ComputeBackend::Flex => subject.time::<burn::backend::Flex>(Default::default())?,
                ComputeBackend::Wgpu => {
                    subject.time::<learning_to_see::infer::Gpu>(Default::default())?
                }
            };
            let gflops = 2.0 * generator_macs(&config, args.size) as f64 / (ms * 1e6);
            if args.json {
                println!(
                    r#"{{"ngf":{ngf},"size":{},"ms":{ms:.3},"backend":"{backend}","gflops":{gflops:.1}}}"#,
                    args.size
                );
            } else {
                println!(
                    "| {backend} | {ngf} | {} | {ms:.2} | {gflops:.1} |",
                    args.size
                );
            }
        }
    }
    Ok(())
}

/// What one row times: a random generator of `config`, or a package's.
struct Subject<'a> {
    config: &'a GeneratorConfig,
    package: Option<&'a ModelPackage>,
    size: usize,
    runs: usize,
}

impl Subject<'_> {
    /// Median ms of `runs` frames through [`Inference`] on the CPU, as `lts live` runs them.
    fn time_inference(&self) -> Result<f64> {
        let device = Default::default();
        let generator = match self.package {
            Some(package) => package.load::<Cpu>(&device)?,
            None => self.config.init::<Cpu>(&device),
        };
        let channels = generator.input_channels();
        let input = Tensor::<Cpu, 4>::random(
            [1, channels, self.size, self.size],
            burn::tensor::Distribution::Uniform(-1.0, 1.0),
            &device,
        )
        .into_data()
        .into_vec::<f32>()
        .expect("float input");
        let inference = Inference::new(generator, device, self.config.arch.granularity());
        let once = || -> Result<f64> {
            let start = Instant::now();
            inference.run(&input, self.size)?;
            Ok(start.elapsed().as_secs_f64() * 1e3)
        };
        once()?;
        let times = (0..self.runs.max(1))
            .map(|_| once())
            .collect::<Result<_>>()?;
        Ok(median(times))
    }

    /// Median ms of `runs` forward passes (after one warm-up), output read back each time.
    fn time<B: Backend>(&self, device: B::Device) -> Result<f64> {
        let generator = match self.package {
            Some(package) => package.load::<B>(&device)?,
            None => self.config.init::<B>(&device),
        };
        let input = Tensor::<B, 4>::random(
            [1, generator.input_channels(), self.size, self.size],
            burn::tensor::Distribution::Uniform(-1.0, 1.0),
            &device,
        );
        let once = || {
            let start = Instant::now();
            let output = generator.forward(input.clone());
            let _ = output.into_data();
            start.elapsed().as_secs_f64() * 1e3
        };
        once();
        Ok(median((0..self.runs.max(1)).map(|_| once()).collect()))
    }
}

pub(crate) fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn look(args: LookBench) -> Result<()> {
    use learning_to_see::gpu::look::{output_buffer, read_back, GpuLook};
    use learning_to_see::gpu::tensor::{look_tensor, SharedGpu};
    use learning_to_see::look::Look;

    let frame = match &args.image {
        Some(path) => image::imageops::resize(
            &super::args::open_rgb(path)?,
            1920,
            1080,
            image::imageops::FilterType::Triangle,
        ),
        None => image::imageops::resize(
            &learning_to_see::live::source::synthetic::frame(3.0),
            1920,
            1080,
            image::imageops::FilterType::Triangle,
        ),
    };
    let look = Look::default();
    let size = args.size;
    let runs = args.runs.max(1);
    println!("| implementation | 1920×1080 → {size}² | ms (median of {runs}) |");
    println!("|---|---|---|");
    let cpu = median(
        (0..runs + 1)
            .map(|_| {
                let start = Instant::now();
                let out = look.apply(&frame, size).expect("valid look");
                std::hint::black_box(out);
                start.elapsed().as_secs_f64() * 1e3
            })
            .skip(1)
            .collect(),
    );
    println!("| CPU (src/look/cpu.rs) | downscale 24 | {cpu:.2} |");
    let Some(shared) = SharedGpu::new() else {
        println!("| WGSL | no wgpu adapter | - |");
        return Ok(());
    };
    let (device, queue, info) = (&shared.device, &shared.queue, &shared.info);
    let mut gpu = GpuLook::new(device);
    let timed = gpu.enable_timing(device, queue);
    let buffer = output_buffer(device, size * size);
    let (mut with_readback, mut resident, mut on_gpu) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..=runs {
        let start = Instant::now();
        gpu.run(device, queue, &look, &frame, size, &buffer, 0)?;
        device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let submitted = start.elapsed().as_secs_f64() * 1e3;
        let values = read_back(device, queue, &buffer, size * size);
        std::hint::black_box(values);
        if run > 0 {
            resident.push(submitted);
            with_readback.push(start.elapsed().as_secs_f64() * 1e3);
            on_gpu.extend(gpu.last_gpu_ms(device));
        }
    }
    println!(
        "| WGSL on {} ({:?}): upload + compute, wall | downscale 24 | {:.2} |",
        info.name,
        info.backend,
        median(resident)
    );
    if timed && !on_gpu.is_empty() {
        println!(
            "| WGSL compute pass, GPU timestamps | downscale 24 | {:.2} |",
            median(on_gpu)
        );
    } else {
        println!("| WGSL compute pass, GPU timestamps | not supported by this device | - |");
    }
    println!(
        "| WGSL, plus reading the result back | downscale 24 | {:.2} |",
        median(with_readback)
    );
    let mut into_tensor = Vec::new();
    for run in 0..=runs {
        let start = Instant::now();
        let tensor = look_tensor(&shared, &mut gpu, &look, &frame, size)?;
        device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if run > 0 {
            into_tensor.push(start.elapsed().as_secs_f64() * 1e3);
        }
        drop(tensor);
    }
    println!(
        "| WGSL into the generator's burn-wgpu tensor (shared device) | downscale 24 | {:.2} |",
        median(into_tensor)
    );
    Ok(())
}
