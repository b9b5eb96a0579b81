//! `lts bench`: speed tables, measured in one process so rows are comparable.

use std::time::Instant;

use anyhow::{bail, Result};
use burn::prelude::*;
use clap::{Args, Subcommand};
use learning_to_see::model::cost::generator_macs;
use learning_to_see::model::{Arch, GeneratorConfig, NormKind};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// Generator forward time (U-Net, batch 1) per backend and width.
    Generator(GeneratorBench),
    /// The look from a 1920×1080 frame: CPU, and WGSL on the wgpu device (lavapipe or a GPU).
    Look(LookBench),
}

#[derive(Args)]
pub struct LookBench {
    #[arg(long, default_value_t = 256)]
    size: usize,
    #[arg(long, default_value_t = 30)]
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
    /// Backends, comma-separated: flex, ndarray, wgpu.
    #[arg(long, value_delimiter = ',', default_value = "flex")]
    backend: Vec<String>,
    /// Timed runs per row (after one warm-up); the median is reported.
    #[arg(long, default_value_t = 10)]
    runs: usize,
    /// One JSON object per row instead of a table.
    #[arg(long)]
    json: bool,
}

pub fn run(command: BenchCommand) -> Result<()> {
    match command {
        BenchCommand::Generator(args) => generator(args),
        BenchCommand::Look(args) => look(args),
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
    for backend in &args.backend {
        for &ngf in &args.ngf {
            let config = GeneratorConfig::new(Arch::unet_for(args.size), ngf, NormKind::Batch);
            let ms = match backend.as_str() {
                "flex" => {
                    time::<burn::backend::Flex>(&config, args.size, args.runs, Default::default())
                }
                "ndarray" => time::<burn::backend::NdArray>(
                    &config,
                    args.size,
                    args.runs,
                    Default::default(),
                ),
                "wgpu" => {
                    time::<burn::backend::Wgpu>(&config, args.size, args.runs, Default::default())
                }
                other => bail!("unknown backend `{other}` (flex, ndarray, wgpu)"),
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

fn time<B: Backend>(config: &GeneratorConfig, size: usize, runs: usize, device: B::Device) -> f64 {
    let generator = config.init::<B>(&device);
    let input = Tensor::<B, 4>::random(
        [1, 1, size, size],
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
    let mut times: Vec<f64> = (0..runs.max(1)).map(|_| once()).collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn look(args: LookBench) -> Result<()> {
    use learning_to_see::look::gpu::{headless_device, output_buffer, read_back, GpuLook};
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
    let Some((device, queue, info)) = headless_device() else {
        println!("| WGSL | no wgpu adapter | - |");
        return Ok(());
    };
    let mut gpu = GpuLook::new(&device);
    let buffer = output_buffer(&device, size * size);
    let mut with_readback = Vec::new();
    let mut resident = Vec::new();
    for run in 0..=runs {
        let start = Instant::now();
        gpu.run(&device, &queue, &look, &frame, size, &buffer, 0)?;
        device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let submitted = start.elapsed().as_secs_f64() * 1e3;
        let values = read_back(&device, &queue, &buffer, size * size);
        std::hint::black_box(values);
        if run > 0 {
            resident.push(submitted);
            with_readback.push(start.elapsed().as_secs_f64() * 1e3);
        }
    }
    println!(
        "| WGSL on {} ({:?}): upload + compute | downscale 24 | {:.2} |",
        info.name,
        info.backend,
        median(resident)
    );
    println!(
        "| WGSL, plus reading the result back | downscale 24 | {:.2} |",
        median(with_readback)
    );
    Ok(())
}
