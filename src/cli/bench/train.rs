//! `lts bench train`: the training step alone, on batches made beforehand, as
//! `benches/train_pytorch.py` times PyTorch's.

use std::time::Instant;

use anyhow::{bail, Result};
use burn::backend::{Autodiff, Flex};
use burn::prelude::*;
use burn::tensor::backend::AutodiffBackend;
use burn::tensor::Distribution;
use clap::Args;
use learning_to_see::infer::Gpu;
use learning_to_see::model::cost::{discriminator_macs, generator_macs, training_flops};
use learning_to_see::model::patchgan::PatchGanConfig;
use learning_to_see::model::{Arch, GeneratorConfig, NormKind};
use learning_to_see::train::gan::Pix2Pix;
use learning_to_see::train_cpu::Pix2PixCpu;

use super::median;
use crate::cli::args::ComputeBackend;
use crate::cli::checks;

#[derive(Args)]
pub struct TrainBench {
    #[arg(long, default_value_t = 32, value_parser = checks::count)]
    ngf: usize,
    /// U-Net depth (default: log2(size)).
    #[arg(long)]
    levels: Option<usize>,
    #[arg(long, default_value_t = 64, value_parser = checks::count)]
    ndf: usize,
    /// Square size (a power of two: the U-Net gets log2(size) levels).
    #[arg(long, default_value_t = 256)]
    size: usize,
    #[arg(long, default_value_t = 4, value_parser = checks::count)]
    batch: usize,
    /// Timed steps, after `--warmup` untimed ones.
    #[arg(long, default_value_t = 10, value_parser = checks::count)]
    steps: usize,
    #[arg(long, default_value_t = 2)]
    warmup: usize,
    #[arg(long, default_value = "batch")]
    norm: NormKind,
    /// cpu (the project's own kernels, what `lts train` uses), flex (Burn's autodiff on its Flex
    /// CPU backend), wgpu (Burn's autodiff on burn-wgpu).
    #[arg(long, value_enum, default_value = "cpu")]
    backend: ComputeBackend,
    /// One JSON line instead of a sentence.
    #[arg(long)]
    json: bool,
}

impl TrainBench {
    fn arch(&self) -> Arch {
        Arch::unet_with(self.size, self.levels)
    }
}

pub fn run(args: TrainBench) -> Result<()> {
    if args.size < 32 || !args.size.is_power_of_two() {
        bail!(
            "--size must be a power of two, at least 32 (got {})",
            args.size
        );
    }
    if !args.size.is_multiple_of(args.arch().granularity()) {
        bail!("--size must be a multiple of 2^levels");
    }
    if args.batch == 0 || args.steps == 0 || args.ngf == 0 || args.ndf == 0 {
        bail!("--batch, --steps, --ngf and --ndf must be positive");
    }
    let seconds = match args.backend {
        ComputeBackend::Cpu => time_cpu(&args)?,
        ComputeBackend::Flex => time_burn::<Autodiff<Flex>>(&args, Default::default()),
        ComputeBackend::Wgpu => time_burn::<Autodiff<Gpu>>(&args, Default::default()),
    };
    let step = median(seconds.clone());
    let img_per_s = (args.steps * args.batch) as f64 / seconds.iter().sum::<f64>();
    let generator = GeneratorConfig::new(args.arch(), args.ngf, args.norm);
    let flops = training_flops(
        generator_macs(&generator, args.size),
        discriminator_macs(4, args.ndf, 3, args.size),
    );
    let gflops = flops as f64 * img_per_s / 1e9;
    let threads = rayon::current_num_threads();
    if args.json {
        println!(
            r#"{{"backend":"{}","ngf":{},"ndf":{},"size":{},"batch":{},"norm":"{}","steps":{},"threads":{threads},"img_per_s":{img_per_s:.3},"step_s_median":{step:.4},"gflop_per_img":{:.2},"gflops":{gflops:.1}}}"#,
            args.backend,
            args.ngf,
            args.ndf,
            args.size,
            args.batch,
            args.norm,
            args.steps,
            flops as f64 / 1e9
        );
    } else {
        println!(
            "{}: {img_per_s:.2} img/s, {gflops:.0} GFLOP/s ({:.1} GFLOP per image), median step {:.3} s — U-Net ngf {}, PatchGAN ndf {}, {}², batch {}, {threads} threads",
            args.backend,
            flops as f64 / 1e9,
            step,
            args.ngf,
            args.ndf,
            args.size,
            args.batch
        );
    }
    Ok(())
}

fn networks<B: AutodiffBackend>(args: &TrainBench, device: &B::Device) -> Pix2Pix<B> {
    let generator = GeneratorConfig::new(args.arch(), args.ngf, args.norm);
    let discriminator = PatchGanConfig::new()
        .with_ndf(args.ndf)
        .with_norm(args.norm)
        .init(device);
    Pix2Pix::from_networks(generator.init(device), discriminator, 100.0)
}

/// A few batches in [-1, 1], cycled: `[N, 1, S, S]` looks and `[N, 3, S, S]` targets.
fn batches<B: Backend>(args: &TrainBench, device: &B::Device) -> Vec<(Tensor<B, 4>, Tensor<B, 4>)> {
    let (n, s) = (args.batch, args.size);
    let uniform = Distribution::Uniform(-1.0, 1.0);
    (0..4)
        .map(|_| {
            (
                Tensor::random([n, 1, s, s], uniform, device),
                Tensor::random([n, 3, s, s], uniform, device),
            )
        })
        .collect()
}

fn time_burn<B: AutodiffBackend>(args: &TrainBench, device: B::Device) -> Vec<f64> {
    let mut gan = networks::<B>(args, &device);
    let batches = batches::<B>(args, &device);
    (0..args.warmup + args.steps)
        .map(|i| {
            let (input, target) = batches[i % batches.len()].clone();
            let start = Instant::now();
            let losses = gan.step(input, target, 2e-4);
            std::hint::black_box(losses);
            start.elapsed().as_secs_f64()
        })
        .skip(args.warmup)
        .collect()
}

fn time_cpu(args: &TrainBench) -> Result<Vec<f64>> {
    type B = Autodiff<Flex>;
    let device = Default::default();
    let mut gan = Pix2PixCpu::from_burn(&networks::<B>(args, &device), 1)?;
    let batches: Vec<(Vec<f32>, Vec<f32>)> = batches::<Flex>(args, &device)
        .into_iter()
        .map(|(input, target)| (values(input), values(target)))
        .collect();
    Ok((0..args.warmup + args.steps)
        .map(|i| {
            let (input, target) = &batches[i % batches.len()];
            let start = Instant::now();
            let losses = gan.step(input, target, args.batch, args.size, 2e-4);
            std::hint::black_box(losses);
            start.elapsed().as_secs_f64()
        })
        .skip(args.warmup)
        .collect())
}

fn values(tensor: Tensor<Flex, 4>) -> Vec<f32> {
    tensor.into_data().into_vec::<f32>().expect("float tensor")
}
