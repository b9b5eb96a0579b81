use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use learning_to_see::infer::{Cpu, Inference};
use learning_to_see::look::cpu::to_rgb_image;
use learning_to_see::npy;

use super::args::{open_rgb, LookArgs, ModelArgs};

use super::checks;

#[derive(Args)]
pub struct InferArgs {
    #[command(flatten)]
    model: ModelArgs,
    /// Images to re-imagine (the look is applied first).
    images: Vec<PathBuf>,
    /// Feed a float32 [C,H,W] (or [1,C,H,W]) array in [-1,1] directly, skipping the look.
    #[arg(long)]
    input_raw: Option<PathBuf>,
    /// Output directory.
    #[arg(long)]
    out: PathBuf,
    /// Also write the raw float32 output as NAME.npy ([3,H,W], values in [-1,1]).
    #[arg(long)]
    raw: bool,
    /// Square size to run at (default: the model's resolution).
    #[arg(long, value_parser = checks::count)]
    size: Option<usize>,
    #[command(flatten)]
    look: LookArgs,
}

pub fn run(args: InferArgs) -> Result<()> {
    if args.images.is_empty() && args.input_raw.is_none() {
        bail!("give images to re-imagine, or --input-raw FILE.npy");
    }
    let resolved = args.model.resolve()?;
    let look = args.look.over(resolved.look)?;
    let granularity = resolved.config.arch.granularity();
    let generator = resolved
        .config
        .load::<Cpu>(resolved.weights, &Default::default())?;
    let inference = Inference::new(generator, Default::default(), granularity);
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;

    let mut jobs: Vec<(String, Vec<f32>, usize)> = Vec::new();
    if let Some(path) = &args.input_raw {
        let (shape, values) = npy::read_f32(path)?;
        let dims: Vec<usize> = shape
            .iter()
            .copied()
            .skip_while(|&d| d == 1 && shape.len() == 4)
            .collect();
        let (h, w) = match dims.as_slice() {
            [_, h, w] => (*h, *w),
            [h, w] => (*h, *w),
            _ => bail!(
                "{}: expected a [C,H,W] array, got {shape:?}",
                path.display()
            ),
        };
        if h != w {
            bail!("{}: the input must be square, got {h}×{w}", path.display());
        }
        jobs.push((stem(path), values, h));
    }
    let size = args.size.unwrap_or(resolved.resolution);
    for path in &args.images {
        let frame = open_rgb(path)?;
        jobs.push((stem(path), look.apply(&frame, size)?, size));
    }
    for (name, input, size) in jobs {
        let output = inference.run(&input, size)?;
        let png = args.out.join(format!("{name}.png"));
        to_rgb_image(&output, size, size)
            .save(&png)
            .with_context(|| format!("writing {}", png.display()))?;
        if args.raw {
            npy::write_f32(
                &args.out.join(format!("{name}.npy")),
                &[3, size, size],
                &output,
            )?;
        }
        println!("{}", png.display());
    }
    Ok(())
}

fn stem(path: &std::path::Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("output")
        .trim_end_matches(".input")
        .to_string()
}
