use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use learning_to_see::live::engine::DeviceChoice;
use learning_to_see::live::headless::{render, RenderOptions};
use learning_to_see::live::source::SourceSpec;

use super::checks;

#[derive(Args)]
pub struct RenderArgs {
    #[arg(long)]
    preset: Option<String>,
    #[arg(long, default_value = "synthetic")]
    source: SourceSpec,
    #[arg(long, default_value_t = 300, value_parser = checks::count_u64)]
    frames: u64,
    /// A directory of PNG frames, or FILE.mp4.
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 30.0, value_parser = checks::positive_f32)]
    fps: f32,
    #[arg(long, default_value = "presets")]
    presets: PathBuf,
    #[arg(long, default_value = "models")]
    models: PathBuf,
    /// auto | gpu | cpu. `gpu`: the whole frame on a GPU (the default wgpu adapter), only the
    /// output read back; `auto` takes it unless it is a software rasteriser (lavapipe).
    #[arg(long, default_value_t = DeviceChoice::Auto)]
    device: DeviceChoice,
}

pub fn run(args: RenderArgs) -> Result<()> {
    let rendered = render(&RenderOptions {
        preset: args.preset,
        source: args.source,
        frames: args.frames,
        out: args.out,
        presets: args.presets,
        models: args.models,
        fps: args.fps,
        latest_only: false,
        device: args.device,
    })?;
    eprintln!("{rendered}");
    Ok(())
}
