//! Subcommands; each file is one command and stays thin over the library.

mod args;
mod bench;
mod checks;
mod evaluate;
mod heap;
mod import;
mod infer;
mod live;
mod models;
mod preprocess;
mod presets;
mod progress;
mod render;
mod train;

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
    /// The live show: camera (or video, images, synthetic) re-imagined full-screen.
    Live(live::LiveArgs),
    /// The live pipeline without a window: PNG frames or an mp4.
    Render(render::RenderArgs),
    /// List installed models with parameters, MACs per frame and size.
    Models(models::ModelsArgs),
    /// Convert a PyTorch pix2pix state_dict (.pth) into a model package.
    Import(import::ImportArgs),
    /// Run a model on images (or a raw .npy input) and write the results.
    Infer(infer::InferArgs),
    /// Show what the network sees: the look of an image, or random training pairs of a dataset.
    Preprocess(preprocess::PreprocessArgs),
    /// Train a pix2pix model from a folder of target images.
    Train(train::TrainArgs),
    /// How much a model's outputs look like its subject (L1, patch SWD, spectrum, lattice), beside
    /// the tinted-grey baseline and real-vs-real; recorded in its model.toml.
    Evaluate(evaluate::EvaluateArgs),
    /// List and check presets.
    Presets(presets::PresetsArgs),
    /// Measure speed.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
}

impl Cli {
    pub fn run(self) -> Result<()> {
        match self.command {
            Command::Live(args) => live::run(args),
            Command::Render(args) => render::run(args),
            Command::Models(args) => models::run(args),
            Command::Import(args) => import::run(args),
            Command::Infer(args) => infer::run(args),
            Command::Preprocess(args) => preprocess::run(args),
            Command::Train(args) => train::run(args),
            Command::Evaluate(args) => evaluate::run(args),
            Command::Presets(args) => presets::run(args),
            Command::Bench(command) => bench::run(command),
        }
    }
}
