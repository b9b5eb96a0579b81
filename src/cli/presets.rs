use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;
use learning_to_see::control::preset::PresetList;

#[derive(Args)]
pub struct PresetsArgs {
    #[arg(long, default_value = "presets")]
    dir: PathBuf,
    #[arg(long, default_value = "models")]
    models: PathBuf,
}

/// Lists presets in the order keys 1–9 select them, checking each file and its model.
pub fn run(args: PresetsArgs) -> Result<()> {
    let list = PresetList::load(&args.dir, &args.models);
    if list.entries.is_empty() {
        println!("no presets in {}", args.dir.display());
        return Ok(());
    }
    let mut problems = 0;
    for (index, entry) in list.entries.iter().enumerate() {
        match &entry.preset {
            Ok(preset) => {
                let model = list.model_dir(&preset.model);
                let status = if model.join("model.toml").exists() {
                    "ok".to_string()
                } else {
                    problems += 1;
                    format!("missing model {}", model.display())
                };
                println!(
                    "{:>2}  {:<16} model {:<12} downscale {:>5.1}  smoothing {:.2}  {status}",
                    index + 1,
                    preset.name,
                    preset.model,
                    preset.look.downscale,
                    preset.smoothing
                );
            }
            Err(error) => {
                problems += 1;
                println!("{:>2}  invalid: {error}", index + 1);
            }
        }
    }
    if problems > 0 {
        bail!("{problems} preset(s) have problems");
    }
    Ok(())
}
