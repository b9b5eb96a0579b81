use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::{bail, Result};
use burn::backend::Autodiff;
use clap::Args;
use learning_to_see::look::random::Flip;
use learning_to_see::model::NormKind;
use learning_to_see::train::config::ArchFamily;
use learning_to_see::train::data::scan_images;
use learning_to_see::train::run::{Destinations, Stepper};
use learning_to_see::train::{train, TrainConfig};

#[derive(Args)]
pub struct TrainArgs {
    /// A folder of target images (searched recursively).
    #[arg(long)]
    data: PathBuf,
    /// Run and model name: runs/NAME, models/NAME, presets/NAME.toml.
    #[arg(long)]
    name: String,
    #[arg(long, default_value = "unet")]
    arch: ArchFamily,
    #[arg(long, default_value_t = 64)]
    ngf: usize,
    /// U-Net depth: stride-2 levels (default: log2(size), a 1×1 bottleneck; pix2pix's unet_128
    /// is 7). Sizes must be multiples of 2^levels.
    #[arg(long)]
    levels: Option<usize>,
    #[arg(long, default_value_t = 64)]
    ndf: usize,
    /// Square training size (multiple of 32 for the U-Net).
    #[arg(long, default_value_t = 256)]
    size: usize,
    #[arg(long, default_value_t = 4)]
    batch: usize,
    /// Passes over the dataset (the reference: 200 = 100 constant + 100 decaying).
    #[arg(long, conflicts_with = "steps")]
    epochs: Option<f64>,
    /// Or an exact number of optimiser steps.
    #[arg(long)]
    steps: Option<u64>,
    /// Random flips: none | h | v | hv.
    #[arg(long, default_value = "h")]
    flip: Flip,
    /// The look's downscale factor.
    #[arg(long, default_value_t = 24.0)]
    downscale: f32,
    #[arg(long, default_value = "batch")]
    norm: NormKind,
    #[arg(long, default_value_t = 2e-4)]
    lr: f64,
    #[arg(long, default_value_t = 500)]
    checkpoint_every: u64,
    /// Where steps run: cpu (the project's own kernels, U-Nets), flex (Burn's autodiff on its
    /// CPU backend: the reference, and ResNets) or wgpu (Burn on the GPU; lavapipe without one).
    #[arg(long, default_value = "cpu")]
    backend: String,
    /// Continue runs/NAME from its checkpoint.
    #[arg(long)]
    resume: bool,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Threads decoding images and making pairs.
    #[arg(long, default_value_t = 2)]
    workers: usize,
    #[arg(long, default_value = "runs")]
    runs: PathBuf,
    #[arg(long, default_value = "models")]
    models: PathBuf,
    #[arg(long, default_value = "presets")]
    presets: PathBuf,
}

pub fn run(args: TrainArgs) -> Result<()> {
    let images = scan_images(&args.data)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", args.data.display()))?
        .len();
    if images == 0 {
        bail!(
            "no images (jpg, png, webp, bmp, tiff) under {}",
            args.data.display()
        );
    }
    if !args.size.is_multiple_of(32) || args.size < 32 {
        bail!("--size must be a multiple of 32 (got {})", args.size);
    }
    if let Some(levels) = args.levels {
        if !(5..=12).contains(&levels) || !args.size.is_multiple_of(1 << levels) {
            bail!(
                "--levels must be 5..=12 and --size a multiple of 2^levels (got {levels} levels for {}²)",
                args.size
            );
        }
    }
    if args.batch == 0 || args.ngf == 0 || args.ndf == 0 || args.checkpoint_every == 0 {
        bail!("--batch, --ngf, --ndf and --checkpoint-every must be positive");
    }
    let steps = match (args.steps, args.epochs) {
        (Some(steps), _) => steps.max(1),
        (None, Some(epochs)) => {
            (((epochs * images as f64) / args.batch as f64).ceil() as u64).max(1)
        }
        // Resuming without a length keeps the run's own (0 = "as checkpointed").
        (None, None) if args.resume => 0,
        (None, None) => (((200.0 * images as f64) / args.batch as f64).ceil() as u64).max(1),
    };
    let config = TrainConfig {
        data: args.data,
        name: args.name,
        arch: args.arch,
        ngf: args.ngf,
        levels: args.levels,
        ndf: args.ndf,
        size: args.size,
        batch: args.batch,
        steps,
        flip: args.flip,
        downscale: args.downscale,
        norm: args.norm,
        lr: args.lr,
        l1_weight: 100.0,
        checkpoint_every: args.checkpoint_every,
        seed: args.seed,
        workers: args.workers,
        runs: args.runs,
    };
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        ctrlc::set_handler(move || {
            if stop.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
            eprintln!("\nstopping after this step (Ctrl-C again to quit without saving)");
        })?;
    }
    let out = Destinations {
        models: &args.models,
        presets: &args.presets,
        command: std::env::args().collect::<Vec<_>>().join(" "),
    };
    eprintln!(
        "training {} on {images} images: batch {}, {}², backend {}",
        config.name, config.batch, config.size, args.backend
    );
    let mut backend = args.backend.as_str();
    if backend == "cpu" && config.arch == ArchFamily::Resnet {
        eprintln!("ResNet generators train through Burn: using --backend flex");
        backend = "flex";
    }
    let outcome = match backend {
        "cpu" => train::<Autodiff<burn::backend::Flex>>(
            config,
            args.resume,
            Stepper::Cpu,
            Default::default(),
            &stop,
            out,
        )?,
        "flex" => train::<Autodiff<burn::backend::Flex>>(
            config,
            args.resume,
            Stepper::Burn,
            Default::default(),
            &stop,
            out,
        )?,
        "wgpu" => train::<Autodiff<learning_to_see::infer::Gpu>>(
            config,
            args.resume,
            Stepper::Burn,
            Default::default(),
            &stop,
            out,
        )?,
        other => bail!("unknown backend `{other}` (cpu, flex, wgpu)"),
    };
    println!(
        "{} steps; {} images used, {} skipped",
        outcome.steps, outcome.images, outcome.skipped
    );
    if let (Some(model), Some(preset)) = (outcome.model, outcome.preset) {
        println!("model: {}\npreset: {}", model.display(), preset.display());
    }
    if outcome.interrupted {
        std::process::exit(130);
    }
    Ok(())
}
