use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use learning_to_see::infer::Cpu;
use learning_to_see::model::weights::{load_pth, Precision};
use learning_to_see::model::{ModelMeta, ModelPackage};

use super::args::{native_size, PthArgs};

use super::checks;

#[derive(Args)]
pub struct ImportArgs {
    /// The PyTorch state_dict (e.g. latest_net_G.pth from the reference pix2pix).
    file: PathBuf,
    #[command(flatten)]
    pth: PthArgs,
    /// The model directory to write, e.g. models/my-model.
    #[arg(long)]
    out: PathBuf,
    /// Store weights as f16 (half the size) instead of f32.
    #[arg(long)]
    half: bool,
    /// Look downscale factor the model was trained with.
    #[arg(long, default_value_t = 24.0, value_parser = checks::factor)]
    downscale: f32,
}

pub fn run(args: ImportArgs) -> Result<()> {
    let config = args.pth.config()?;
    let weights = load_pth(&args.file)?;
    // Build it once: a mismatching file fails here, naming the first key that does not fit.
    let generator = config
        .load::<Cpu>(weights, &Default::default())
        .with_context(|| {
            format!(
                "{} does not match --arch {} --ngf {} --input-nc {} --norm {}",
                args.file.display(),
                config.arch,
                config.ngf,
                config.input_nc,
                config.norm
            )
        })?;
    let name = args
        .out
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("imported")
        .to_string();
    let meta = ModelMeta {
        name,
        description: format!("imported from {}", args.file.display()),
        resolution: native_size(config.arch),
        generator: config,
        precision: if args.half {
            Precision::F16
        } else {
            Precision::F32
        },
        look: learning_to_see::look::Look {
            downscale: args.downscale,
            ..Default::default()
        },
        dataset: None,
        training: None,
        evaluation: None,
        made_by: std::env::args().collect::<Vec<_>>().join(" "),
        credits: String::new(),
    };
    let package = ModelPackage::write(&args.out, &meta, &generator.state_dict())?;
    println!(
        "imported {} → {}",
        args.file.display(),
        package.dir.display()
    );
    Ok(())
}
