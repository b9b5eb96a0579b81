use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use learning_to_see::model::cost::generator_macs;
use learning_to_see::model::ModelPackage;

#[derive(Args)]
pub struct ModelsArgs {
    /// Where model directories live.
    #[arg(long, default_value = "models")]
    dir: PathBuf,
}

pub fn run(args: ModelsArgs) -> Result<()> {
    let packages = ModelPackage::scan(&args.dir);
    if packages.is_empty() {
        println!(
            "no models in {} (train one with `lts train`, or `lts import` a .pth)",
            args.dir.display()
        );
        return Ok(());
    }
    println!(
        "{:<16} {:<16} {:>4} {:>3} {:<8} {:>10} {:>11} {:>9}  dataset",
        "name", "arch", "ngf", "in", "norm", "params", "GMAC/frame", "size"
    );
    for package in packages {
        let package = match package {
            Ok(package) => package,
            Err(error) => {
                println!("(unreadable) {error:#}");
                continue;
            }
        };
        let meta = &package.meta;
        let g = &meta.generator;
        let (params, bytes) = match package.weights() {
            Ok(weights) => (
                weights.parameter_count().to_string(),
                std::fs::metadata(package.weights_path())
                    .map(|m| m.len())
                    .unwrap_or(0),
            ),
            Err(_) => ("broken".to_string(), 0),
        };
        let macs = generator_macs(g, meta.resolution) as f64 / 1e9;
        println!(
            "{:<16} {:<16} {:>4} {:>3} {:<8} {:>10} {:>6.2} @{:<4} {:>6.1} MB  {}",
            meta.name,
            g.arch.to_string(),
            g.ngf,
            g.input_nc,
            g.norm.to_string(),
            params,
            macs,
            meta.resolution,
            bytes as f64 / 1e6,
            meta.dataset
                .as_ref()
                .map(|d| d.name.as_str())
                .unwrap_or("-"),
        );
    }
    Ok(())
}
