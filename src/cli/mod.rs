//! Subcommands; each file is one command and stays thin over the library.

mod args;
mod bench;
mod import;
mod infer;
mod models;
mod preprocess;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "lts",
    version,
    about = "learning-to-see: a pix2pix network re-imagines what a camera sees, live"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List installed models with parameters, MACs per frame and size.
    Models(models::ModelsArgs),
    /// Convert a PyTorch pix2pix state_dict (.pth) into a model package.
    Import(import::ImportArgs),
    /// Run a model on images (or a raw .npy input) and write the results.
    Infer(infer::InferArgs),
    /// Show what the network sees: the look of an image, or random training pairs of a dataset.
    Preprocess(preprocess::PreprocessArgs),
    /// Measure speed.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

impl Cli {
    pub fn run(self) -> Result<()> {
        match self.command {
            Command::Models(args) => models::run(args),
            Command::Import(args) => import::run(args),
            Command::Infer(args) => infer::run(args),
            Command::Preprocess(args) => preprocess::run(args),
            Command::Bench(command) => bench::run(command),
        }
    }
}
