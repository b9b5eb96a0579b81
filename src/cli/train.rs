use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::{bail, Result};
use burn::backend::Autodiff;
use clap::Args;
use learning_to_see::control::preset::Preset;
use learning_to_see::look::random::Flip;
use learning_to_see::model::ModelPackage;
use learning_to_see::model::{Arch, GeneratorConfig, NormKind, Upsample};
use learning_to_see::train::checkpoint;
use learning_to_see::train::config::{ArchFamily, StartFrom};
use learning_to_see::train::data::scan_images;
use learning_to_see::train::run::{Destinations, Stepper, CHECKPOINT_FILE};
use learning_to_see::train::{train, TrainConfig};

use super::args::ComputeBackend;
use super::checks;
use super::progress::TrainingBar;

#[derive(Args)]
pub struct TrainArgs {
    /// A folder of target images (searched recursively).
    #[arg(long)]
    data: PathBuf,
    /// Run and model name: runs/NAME, models/NAME, presets/NAME.toml.
    #[arg(long, value_parser = checks::name)]
    name: String,
    /// Replace models/NAME and presets/NAME.toml if they exist (a shipped model, say).
    #[arg(long)]
    force: bool,
    /// unet (default) or resnet.
    #[arg(long)]
    arch: Option<ArchFamily>,
    /// Generator width (default 64).
    #[arg(long, value_parser = checks::count)]
    ngf: Option<usize>,
    /// U-Net depth: stride-2 levels (default: log2(size), a 1×1 bottleneck; pix2pix's unet_128
    /// is 7). Sizes must be multiples of 2^levels.
    #[arg(long, value_parser = checks::count)]
    levels: Option<usize>,
    /// How the decoder doubles its maps: transpose (pix2pix's transposed convolutions; they can
    /// print a fine checkerboard) or resize (nearest ×2 then a 3×3 convolution: no lattice).
    /// (default transpose)
    #[arg(long)]
    upsample: Option<Upsample>,
    /// Discriminator width (default 64).
    #[arg(long, value_parser = checks::count)]
    ndf: Option<usize>,
    /// Square training size (default 256; the U-Net takes multiples of 2^levels).
    #[arg(long, value_parser = checks::count)]
    size: Option<usize>,
    /// Batch norm or instance norm (default batch).
    #[arg(long)]
    norm: Option<NormKind>,
    #[arg(long, default_value_t = 4, value_parser = checks::count)]
    batch: usize,
    /// Passes over the dataset (the reference: 200 = 100 constant + 100 decaying).
    #[arg(long, conflicts_with = "steps", value_parser = checks::positive)]
    epochs: Option<f64>,
    /// Or an exact number of optimiser steps.
    #[arg(long, value_parser = checks::count_u64)]
    steps: Option<u64>,
    /// Random flips: none | h | v | hv.
    #[arg(long, default_value = "h")]
    flip: Flip,
    /// The look's downscale factor.
    #[arg(long, default_value_t = 24.0, value_parser = checks::factor)]
    downscale: f32,
    #[arg(long, default_value_t = 2e-4, value_parser = checks::positive)]
    lr: f64,
    #[arg(long, default_value_t = 500, value_parser = checks::count_u64)]
    checkpoint_every: u64,
    /// Where steps run: cpu (the project's own kernels, U-Nets), flex (Burn's autodiff on its
    /// CPU backend: the reference, and ResNets) or wgpu (Burn on the GPU; lavapipe without one).
    #[arg(long, value_enum, default_value = "cpu")]
    backend: ComputeBackend,
    /// Continue runs/NAME from its checkpoint.
    #[arg(long)]
    resume: bool,
    /// Start the generator from a trained model (a folder such as models/sea) and train it
    /// further beside a fresh discriminator. --arch, --ngf, --levels, --upsample, --norm and
    /// --size default to the model's.
    #[arg(long, conflicts_with = "resume")]
    init_from: Option<PathBuf>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Threads decoding images and making pairs.
    #[arg(long, default_value_t = 2, value_parser = checks::count)]
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
    let checkpoint = args.runs.join(&args.name).join(CHECKPOINT_FILE);
    let continuing = args.resume && checkpoint.exists();
    if continuing {
        refuse_other_networks(&args, &checkpoint::peek(&checkpoint)?.config)?;
    }
    // A run with a checkpoint refreshes its own model (or, without --resume, is refused below).
    refuse_to_overwrite(&args, checkpoint.exists())?;
    let start = args
        .init_from
        .as_deref()
        .map(ModelPackage::open)
        .transpose()?;
    let defaults = NetworkDefaults::of(start.as_ref());
    let size = args.size.unwrap_or(defaults.size);
    if let Some(levels) = args.levels {
        if !(5..=12).contains(&levels) {
            bail!("--levels must be 5 to 12 (got {levels})");
        }
    }
    let steps = match (args.steps, args.epochs) {
        (Some(steps), _) => steps,
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
        arch: args.arch.unwrap_or(defaults.arch),
        ngf: args.ngf.unwrap_or(defaults.ngf),
        levels: args.levels.or(defaults.levels),
        upsample: args.upsample.unwrap_or(defaults.upsample),
        ndf: args.ndf.unwrap_or(64),
        size,
        batch: args.batch,
        steps,
        flip: args.flip,
        downscale: args.downscale,
        norm: args.norm.unwrap_or(defaults.norm),
        lr: args.lr,
        l1_weight: 100.0,
        checkpoint_every: args.checkpoint_every,
        seed: args.seed,
        workers: args.workers,
        runs: args.runs,
        init_from: start.as_ref().map(|package| StartFrom {
            model: package.dir.clone(),
            history: package.meta.history(),
        }),
    };
    if let Some(package) = &start {
        refuse_another_generator(package, &config.generator())?;
    }
    let arch = config.generator().arch;
    let granularity = arch.granularity();
    if !continuing && (size < 32 || !size.is_multiple_of(granularity)) {
        bail!(
            "--size {size} does not fit a {arch} (sizes must be multiples of {granularity}, at \
             least 32): try --size {}, or for a U-Net fewer --levels",
            (size.div_ceil(granularity) * granularity).max(32)
        );
    }
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
        command: std::env::args().collect::<Vec<_>>().join(" "),
    };
    eprintln!(
        "training {} on {images} images: batch {}, {}², backend {}",
        config.name, config.batch, config.size, args.backend
    );
    let mut backend = args.backend;
    if backend == ComputeBackend::Cpu && config.arch == ArchFamily::Resnet {
        eprintln!("ResNet generators train through Burn: using --backend flex");
        backend = ComputeBackend::Flex;
    }
    let mut bar = TrainingBar::default();
    let trained = match backend {
        ComputeBackend::Cpu => train::<Autodiff<burn::backend::Flex>>(
            config,
            args.resume,
            Stepper::Cpu,
            Default::default(),
            &stop,
            out,
            &mut bar,
        ),
        ComputeBackend::Flex => train::<Autodiff<burn::backend::Flex>>(
            config,
            args.resume,
            Stepper::Burn,
            Default::default(),
            &stop,
            out,
            &mut bar,
        ),
        ComputeBackend::Wgpu => train::<Autodiff<learning_to_see::infer::Gpu>>(
            config,
            args.resume,
            Stepper::Burn,
            Default::default(),
            &stop,
            out,
            &mut bar,
        ),
    };
    let outcome = trained.map_err(|error| explain_full_disk(error, &checkpoint))?;
    println!(
        "{} steps; {} images used, {} skipped",
        outcome.steps, outcome.images, outcome.skipped
    );
    if let Some(model) = outcome.model {
        let preset = args.presets.join(format!("{}.toml", model.meta.name));
        Preset::new(&model.meta.name, &model.meta.name, model.meta.look).save(&preset)?;
        println!(
            "model: {}\npreset: {}",
            model.dir.display(),
            preset.display()
        );
    }
    if outcome.interrupted {
        eprintln!(
            "interrupted at step {}; checkpoint saved in {} — continue with --resume",
            outcome.steps,
            outcome.checkpoint.display()
        );
        std::process::exit(130);
    }
    Ok(())
}

/// A full disk stops a run: say so plainly, and what is kept (checkpoints are written
/// atomically, so the last good one survives the failed write).
fn explain_full_disk(error: anyhow::Error, checkpoint: &Path) -> anyhow::Error {
    let full = error.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| {
            matches!(
                io.kind(),
                std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
            )
        })
    });
    if !full {
        return error;
    }
    let kept = match checkpoint::peek(checkpoint) {
        Ok(last) => format!(
            "the last good checkpoint (step {}) is kept in {}: free some space and continue \
             with --resume",
            last.step,
            checkpoint.display()
        ),
        Err(_) => "no checkpoint was written yet: free some space and train again".into(),
    };
    error.context(format!("the disk is full; {kept}"))
}

/// The generator flags' values when not given: pix2pix's, or those of the model a run starts
/// from.
struct NetworkDefaults {
    arch: ArchFamily,
    levels: Option<usize>,
    ngf: usize,
    norm: NormKind,
    upsample: Upsample,
    size: usize,
}

impl NetworkDefaults {
    fn of(start: Option<&ModelPackage>) -> Self {
        let Some(model) = start else {
            return Self {
                arch: ArchFamily::Unet,
                levels: None,
                ngf: 64,
                norm: NormKind::Batch,
                upsample: Upsample::default(),
                size: 256,
            };
        };
        let generator = &model.meta.generator;
        let (arch, levels) = match generator.arch {
            Arch::Unet { levels } => (ArchFamily::Unet, Some(levels)),
            Arch::Resnet { .. } => (ArchFamily::Resnet, None),
        };
        Self {
            arch,
            levels,
            ngf: generator.ngf,
            norm: generator.norm,
            upsample: generator.upsample,
            size: model.meta.resolution,
        }
    }
}

/// `--init-from` loads the model's weights into the generator these flags make: they must
/// be the same network.
fn refuse_another_generator(model: &ModelPackage, wanted: &GeneratorConfig) -> Result<()> {
    let has = &model.meta.generator;
    if has != wanted {
        bail!(
            "--init-from {} is a {} with ngf {}, {} norm and {} upsampling, but the flags ask \
             for a {} with ngf {}, {} norm and {} upsampling: drop the network flags to train \
             the model's own",
            model.dir.display(),
            has.arch,
            has.ngf,
            has.norm,
            has.upsample,
            wanted.arch,
            wanted.ngf,
            wanted.norm,
            wanted.upsample
        );
    }
    Ok(())
}

/// A resumed run keeps its networks: a flag given with `--resume` that says otherwise is a
/// mistake, not a wish to start again.
fn refuse_other_networks(args: &TrainArgs, recorded: &TrainConfig) -> Result<()> {
    fn differs<T: PartialEq + std::fmt::Display>(
        flag: &str,
        given: Option<T>,
        recorded: T,
    ) -> Option<String> {
        given
            .filter(|given| *given != recorded)
            .map(|given| format!("--{flag} {given} (the run has {recorded})"))
    }
    let levels = match recorded.generator().arch {
        Arch::Unet { levels } => levels,
        Arch::Resnet { .. } => 0,
    };
    let problems: Vec<String> = [
        differs("arch", args.arch, recorded.arch),
        differs("ngf", args.ngf, recorded.ngf),
        differs("levels", args.levels, levels),
        differs("ndf", args.ndf, recorded.ndf),
        differs("size", args.size, recorded.size),
        differs("norm", args.norm, recorded.norm),
        differs("upsample", args.upsample, recorded.upsample),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !problems.is_empty() {
        bail!(
            "--resume continues {} with its own networks, but {}: drop those flags, or start \
             a new run with another --name",
            args.runs.join(&args.name).display(),
            problems.join(", ")
        );
    }
    Ok(())
}

/// A new run never replaces a model or preset of the same name unless told to.
fn refuse_to_overwrite(args: &TrainArgs, has_checkpoint: bool) -> Result<()> {
    if args.force || has_checkpoint {
        return Ok(());
    }
    let model = args.models.join(&args.name);
    let preset = args.presets.join(format!("{}.toml", args.name));
    for existing in [model, preset] {
        if existing.exists() {
            bail!(
                "{} already exists and this run would replace it: choose another --name, or \
                 pass --force",
                existing.display()
            );
        }
    }
    Ok(())
}
