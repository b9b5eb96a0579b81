use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;
use learning_to_see::live::app::{self, LiveOptions};
use learning_to_see::live::headless::{render, RenderOptions};
use learning_to_see::live::sketch::DeviceChoice;
use learning_to_see::live::source::SourceSpec;
use learning_to_see::live::view::{Fill, ViewMode};

use super::checks;

#[derive(Args)]
pub struct LiveArgs {
    /// Preset name (presets/NAME.toml); default: presets/default.toml.
    #[arg(long)]
    preset: Option<String>,
    /// camera[:INDEX], video:PATH, images:DIR or synthetic. Default: the first camera, or the
    /// synthetic scene when there is none.
    #[arg(long, default_value = "camera:0")]
    source: SourceSpec,
    #[arg(long)]
    fullscreen: bool,
    /// Gallery: full-screen (on --monitor), cursor hidden, overlay off, screen blanking off, and
    /// the keyboard locked but for Ctrl+Alt+Q (quit) and Ctrl+Alt+O (overlay).
    #[arg(long)]
    gallery: bool,
    /// Monitor index for --fullscreen.
    #[arg(long)]
    monitor: Option<usize>,
    /// Window size, WxH.
    #[arg(long, default_value = "1280x720", value_parser = parse_size)]
    size: (u32, u32),
    /// output | look-output | all
    #[arg(long, default_value = "output")]
    view: ViewMode,
    /// Fit the output inside the window instead of covering it.
    #[arg(long)]
    fit: bool,
    #[arg(long, default_value = "presets")]
    presets: PathBuf,
    #[arg(long, default_value = "models")]
    models: PathBuf,
    /// Quit after N frames, counted from the model's first picture (so loading the model and
    /// compiling GPU kernels are left out of a timed run and its screenshot).
    #[arg(long, value_parser = checks::count_u64)]
    frames: Option<u64>,
    /// Save a screenshot near the end (needs --frames).
    #[arg(long, requires = "frames")]
    screenshot: Option<PathBuf>,
    /// Step the synthetic scene in lockstep with drawing (reproducible; for tests).
    #[arg(long)]
    sync: bool,
    /// Hide the overlay at start (o toggles it).
    #[arg(long)]
    no_overlay: bool,
    /// Play a playlist: NAME in presets/playlists/ (or a .toml file): presets in turn for
    /// their minutes, or a random one every N minutes, crossfading.
    #[arg(long)]
    playlist: Option<String>,
    /// OSC (UDP) port for controllers; 0 turns OSC off.
    #[arg(long, default_value_t = 9000)]
    osc_port: u16,
    /// Also send state feedback to HOST:PORT (an address or a host name).
    #[arg(long, value_parser = checks::host_port)]
    osc_out: Option<std::net::SocketAddr>,
    /// Seconds a continuous parameter takes to glide to a new value.
    #[arg(long, default_value_t = 0.15, value_parser = checks::non_negative)]
    glide: f32,
    /// OSCQuery HTTP port (the address space as JSON, announced over mDNS); 0 turns it off.
    #[arg(long, default_value_t = 9001)]
    oscquery_port: u16,
    /// MIDI input: a part of the device's name, `any` for the mapping file's device (else the
    /// first port), `off` for none.
    #[arg(long, default_value = "any")]
    midi: String,
    /// MIDI mapping file (CC → parameter, note → preset); MIDI learn saves to it.
    #[arg(long, default_value = "presets/controllers/midi.toml")]
    midi_map: PathBuf,
    /// Where the generator runs: auto | gpu | cpu. `auto` takes nannou's GPU unless it is a
    /// software rasteriser (lavapipe), where the CPU is faster; the choice is printed at start.
    #[arg(long, default_value_t = DeviceChoice::Auto)]
    device: DeviceChoice,
    /// Where the no-display fallback writes latest.png.
    #[arg(long, default_value = "live-headless")]
    headless_out: PathBuf,
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once('x')
        .ok_or("size is WIDTHxHEIGHT, e.g. 1280x720")?;
    let parse = |v: &str| match v.parse::<u32>() {
        Ok(side) if (1..=16384).contains(&side) => Ok(side),
        _ => Err(format!("bad size `{s}`: each side is 1 to 16384 pixels")),
    };
    Ok((parse(w)?, parse(h)?))
}

fn has_display() -> bool {
    std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty())
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty())
}

pub fn run(args: LiveArgs) -> Result<()> {
    super::heap::settle();
    if !has_display() {
        eprintln!(
            "no display (DISPLAY and WAYLAND_DISPLAY are unset): running headless, writing the show to {}/latest.png; \
             Ctrl-C stops. For a window, run inside a desktop session or under xvfb-run.",
            args.headless_out.display()
        );
        let rendered = render(&RenderOptions {
            preset: args.preset,
            source: args.source,
            frames: args.frames.unwrap_or(0),
            out: args.headless_out,
            presets: args.presets,
            models: args.models,
            fps: 30.0,
            latest_only: true,
            device: args.device,
        })?;
        eprintln!("{rendered}");
        return Ok(());
    }
    if args.sync && args.source != SourceSpec::Synthetic {
        bail!("--sync steps the synthetic scene: use it with --source synthetic");
    }
    app::run(LiveOptions {
        preset: args.preset,
        source: args.source,
        fullscreen: args.fullscreen || args.gallery,
        gallery: args.gallery,
        monitor: args.monitor,
        size: args.size,
        presets: args.presets,
        models: args.models,
        view: args.view,
        fill: if args.fit { Fill::Fit } else { Fill::Cover },
        frames: args.frames,
        screenshot: args.screenshot,
        sync: args.sync,
        overlay: !args.no_overlay && !args.gallery,
        osc_port: args.osc_port,
        osc_out: args.osc_out,
        glide: args.glide,
        oscquery_port: args.oscquery_port,
        midi: match args.midi.as_str() {
            "off" => None,
            "any" => Some(String::new()),
            name => Some(name.to_string()),
        },
        midi_map: args.midi_map,
        device: args.device,
        playlist: args.playlist,
    });
    if let Some(frames) = args.frames {
        println!("frames drawn: {frames}");
    }
    Ok(())
}
