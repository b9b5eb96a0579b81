use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use learning_to_see::model::package::META_FILE;
use learning_to_see::model::ModelPackage;
use learning_to_see::train::data::scan_images;
use learning_to_see::train::evaluate::{evaluate, mean_colour};

#[derive(Args)]
pub struct EvaluateArgs {
    /// The model directory; its model.toml gets the figures.
    #[arg(long)]
    model: PathBuf,
    /// Held-out target images (never trained on).
    #[arg(long)]
    heldout: PathBuf,
    /// The training images, for the baseline's mean colour.
    #[arg(long)]
    train_data: PathBuf,
    /// Square size to evaluate at (default: the model's resolution).
    #[arg(long)]
    size: Option<usize>,
}

pub fn run(args: EvaluateArgs) -> Result<()> {
    let mut package = ModelPackage::open(&args.model)?;
    let mean = mean_colour(&scan_images(&args.train_data)?, 300);
    let size = args.size.unwrap_or(package.meta.resolution);
    let evaluation = evaluate(&package, &args.heldout, mean, size)?;
    println!(
        "{}: held-out L1 {:.4} vs baseline {:.4} ({} images at {}²): {}",
        package.meta.name,
        evaluation.model_l1,
        evaluation.baseline_l1,
        evaluation.images,
        size,
        if evaluation.model_l1 < 0.9 * evaluation.baseline_l1 {
            "clearly better"
        } else {
            "NOT clearly better"
        }
    );
    package.meta.evaluation = Some(evaluation);
    learning_to_see::atomic::write_atomic(
        &package.dir.join(META_FILE),
        toml::to_string_pretty(&package.meta)?.as_bytes(),
    )?;
    Ok(())
}
