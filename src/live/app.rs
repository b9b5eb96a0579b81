//! The nannou sketch: engine output into textures, composited full-screen, keys for the
//! performer, an overlay with what is going on.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use nannou::prelude::*;

use super::composite::Composite;
use super::engine::{load_model, Engine, Output, Pipeline, MODEL_NOT_LOADED, NO_MODEL};
use super::sketch::{blank, rgba_image, DeviceChoice, ModelTextures, Show};
use super::source::{self, SourceHandle, SourceSpec};
use super::view::{rgb_to_rgba, square_side, Fill, ViewMode};
use crate::control::playlist::Playlist;
use crate::control::preset::PresetList;
use crate::control::{Command, PlaylistCommand};
use crate::model::ModelPackage;
use crate::show::{Effect, Modifiers, Readings, ShowConfig, ShowState};

#[derive(Clone, Debug)]
pub struct LiveOptions {
    pub preset: Option<String>,
    pub source: SourceSpec,
    pub fullscreen: bool,
    /// A gallery: keyboard locked but for chords, screen blanking off.
    pub gallery: bool,
    pub monitor: Option<usize>,
    pub size: (u32, u32),
    pub presets: PathBuf,
    pub models: PathBuf,
    pub view: ViewMode,
    pub fill: Fill,
    /// Stop after this many frames (tests, timed shows).
    pub frames: Option<u64>,
    /// Save a screenshot of the last frame here.
    pub screenshot: Option<PathBuf>,
    /// Process frame N of the synthetic scene on the render thread, in step with drawing
    /// (reproducible runs; compare with `lts render`).
    pub sync: bool,
    pub overlay: bool,
    /// OSC port (0 = off).
    pub osc_port: u16,
    /// Also push state changes here.
    pub osc_out: Option<std::net::SocketAddr>,
    /// Seconds continuous parameters take to glide to a new value.
    pub glide: f32,
    /// OSCQuery HTTP port (0 = off; needs OSC on).
    pub oscquery_port: u16,
    /// MIDI input: `None` off, `Some("")` the mapping file's device (else the first port),
    /// `Some(name)` a port whose name contains `name`.
    pub midi: Option<String>,
    /// The MIDI mapping file (learn mode saves to it).
    pub midi_map: PathBuf,
    /// Where the generator runs.
    pub device: DeviceChoice,
    /// A playlist to start with (a name under `presets/playlists/`, or a file).
    pub playlist: Option<String>,
}

mod countdown;
mod frame_stats;
mod overlay;
mod remote;
mod window;

use countdown::{Countdown, Step};
use frame_stats::FrameStats;
use overlay::draw_overlay;
use window::{keep_screen_awake, set_cursor_visible, set_fullscreen, show_key};

static OPTIONS: OnceLock<LiveOptions> = OnceLock::new();

/// Frames before the end at which the screenshot is taken (it is written asynchronously).
const SCREENSHOT_LEAD: u64 = 8;

/// The model's textures, and the camera frame's for the view that shows it.
struct Textures {
    model: ModelTextures,
    frame: Handle<Image>,
    frame_size: (u32, u32),
}

/// Synchronous mode: the pipeline runs on the render thread.
struct SyncPipeline {
    pipeline: Pipeline,
    frame: u64,
}

/// The window's side of the show: the state, and the workers and textures around it.
struct Live {
    options: LiveOptions,
    state: ShowState,
    source: Option<SourceHandle>,
    engine: Option<Engine>,
    sync: Option<Mutex<SyncPipeline>>,
    textures: Textures,
    last: Option<(super::engine::Timings, String, usize)>,
    remote: remote::Remote,
    frames: FrameStats,
    countdown: Option<Countdown>,
    /// The engine's last notice, passed on to the state when it changes.
    engine_notice: Option<String>,
    presets_stamp: Vec<(PathBuf, Option<std::time::SystemTime>)>,
    presets_checked: Instant,
}

/// Runs the live show in a window until it is closed (or for `options.frames`).
pub fn run(options: LiveOptions) {
    OPTIONS.set(options).expect("live runs once per process");
    nannou::app(model)
        .update(update)
        .add_plugin(Show::plugin())
        .run();
}

fn model(app: &App) -> Live {
    let options = OPTIONS.get().expect("options set before run").clone();
    let mut window = app
        .new_window::<Live>()
        .title("learning-to-see")
        .size(options.size.0, options.size.1)
        .view(view)
        .key_pressed(key_pressed);
    if options.fullscreen {
        window = window.fullscreen();
    }
    if let Some(monitor) = options.monitor {
        window = window.monitor(MonitorSelection::Index(monitor));
    }
    let window = window.build();
    if options.fullscreen {
        set_cursor_visible(app, window, false);
    }
    let mut notices = Vec::new();
    let (remote, midi_map) = remote::Remote::start(&options, &mut notices);
    let presets = PresetList::load(&options.presets, &options.models);
    let config = ShowConfig {
        glide: options.glide,
        midi_input: remote.midi_input.is_some(),
        midi_map,
        view: options.view,
        overlay: options.overlay,
        fullscreen: options.fullscreen,
        locked: options.gallery,
    };
    if options.gallery {
        keep_screen_awake();
    }
    let (mut state, effects) = ShowState::new(
        presets,
        ModelPackage::names(&options.models),
        options.preset.as_deref(),
        config,
    );
    if let Some(notice) = state.notice() {
        tracing::warn!("{notice}");
    }
    let model_textures = ModelTextures::new(app, 256);
    let (source, engine, sync) = if options.sync {
        let pipeline = Pipeline::new(None, 256);
        (
            None,
            None,
            Some(Mutex::new(SyncPipeline { pipeline, frame: 0 })),
        )
    } else {
        let source = source::start(&options.source);
        let engine = Engine::start_on(
            source.clone(),
            state.settings(),
            256,
            options.device,
            model_textures.link(),
        );
        (Some(source), Some(engine), None)
    };
    for notice in notices {
        state.apply(Command::Report(notice));
    }
    let mut live = Live {
        remote,
        state,
        engine_notice: None,
        frames: FrameStats::new(options.frames.is_some()),
        countdown: options.frames.map(Countdown::new),
        presets_stamp: preset_stamps(&options.presets),
        presets_checked: Instant::now(),
        textures: Textures {
            model: model_textures,
            frame: blank(app, 16, 9),
            frame_size: (16, 9),
        },
        options,
        source,
        engine,
        sync,
        last: None,
    };
    perform(app, &mut live, effects);
    if let Some(name) = live.options.playlist.clone() {
        apply(
            app,
            &mut live,
            Command::Playlist(PlaylistCommand::Play(name)),
        );
    }
    live
}

/// Applies a command to the state and carries out what it asks.
fn apply(app: &App, live: &mut Live, command: Command) {
    let effects = live.state.apply(command);
    perform(app, live, effects);
}

/// Carries out the state's effects: the only place the window's show does I/O for it.
fn perform(app: &App, live: &mut Live, effects: Vec<Effect>) {
    for effect in effects {
        match effect {
            Effect::LoadModel { dir, crossfade, .. } => load(app, live, dir, crossfade),
            Effect::SavePreset { path, preset } => {
                let command = match preset.save(&path) {
                    Ok(()) => Command::ReloadPresets(PresetList::load(
                        &live.options.presets,
                        &live.options.models,
                    )),
                    Err(error) => Command::Report(format!("{error:#}")),
                };
                live.presets_stamp = preset_stamps(&live.options.presets);
                apply(app, live, command);
            }
            Effect::SaveMidiMap { map, learned } => {
                let path = &live.remote.midi_map;
                let report = match map.save(path) {
                    Ok(()) => format!("MIDI learned {learned} (saved to {})", path.display()),
                    Err(error) => format!("MIDI learned {learned}, not saved: {error:#}"),
                };
                live.state.apply(Command::Report(report));
            }
            Effect::ReplyState(to) => live.remote.reply_state(&live.state, to),
            Effect::PushState => live.remote.push_state(&live.state, live.options.osc_out),
            Effect::Fullscreen(on) => set_fullscreen(app, app.window_id(), on),
            Effect::Quit => {
                tracing::info!("quit by the chord");
                app.quit();
            }
            Effect::LoadPlaylist { name, path } => {
                let command = match Playlist::load(&path) {
                    Ok(playlist) => {
                        tracing::info!("playlist {name} from {}", path.display());
                        Command::Playlist(PlaylistCommand::Start(name, Box::new(playlist)))
                    }
                    Err(error) => {
                        tracing::warn!("{error:#}");
                        Command::Report(format!("{error:#}"))
                    }
                };
                apply(app, live, command);
            }
        }
    }
}

fn load(app: &App, live: &mut Live, dir: PathBuf, crossfade: f32) {
    if let Some(engine) = &live.engine {
        engine.load(dir, crossfade);
        return;
    }
    let Some(sync) = &live.sync else {
        return;
    };
    let loaded = load_model(&dir, crossfade, None);
    let command = match loaded {
        Ok(model) => {
            let name = model.name.clone();
            sync.lock()
                .unwrap_or_else(|e| e.into_inner())
                .pipeline
                .set_model(model);
            Command::ModelLoaded(name)
        }
        Err(error) => Command::Report(format!("{MODEL_NOT_LOADED}: {error:#}")),
    };
    apply(app, live, command);
}

fn update(app: &App, live: &mut Live) {
    live.frames.record(app);
    if !count_frame(app, live) {
        return;
    }
    live.state.observe(Readings {
        frames: live.frames.drawn,
        fps: live.frames.fps,
        longest_frame_ms: live.frames.longest_recent_ms(),
    });
    for command in live.remote.poll() {
        apply(app, live, command);
    }
    reload_presets(app, live);
    let effects = live.state.tick(app.time_delta());
    perform(app, live, effects);
    let settings = live.state.settings();
    let output = match (&live.sync, &live.engine) {
        (Some(sync), _) => {
            let mut sync = sync.lock().unwrap_or_else(|e| e.into_inner());
            let t = sync.frame as f32 / 30.0;
            sync.frame += 1;
            let frame = std::sync::Arc::new(source::synthetic::frame(t));
            match sync.pipeline.process(frame, &settings) {
                Ok(output) => Some(output),
                Err(error) => {
                    drop(sync);
                    apply(app, live, Command::Report(format!("{error:#}")));
                    None
                }
            }
        }
        (None, Some(engine)) => {
            engine.set_settings(settings);
            let notice = engine.notice();
            if notice.is_some() && notice != live.engine_notice {
                live.engine_notice.clone_from(&notice);
                apply(app, live, Command::Report(notice.unwrap_or_default()));
            } else {
                live.engine_notice = notice;
            }
            live.engine
                .as_ref()
                .and_then(|engine| engine.outputs.take())
        }
        _ => None,
    };
    if let Some(output) = output {
        if output.model != NO_MODEL
            && !output.model.is_empty()
            && live.state.model() != Some(output.model.as_str())
        {
            apply(app, live, Command::ModelLoaded(output.model.clone()));
        }
        show(app, live, output);
    }
}

/// A timed run's bookkeeping at each frame: the summary and the screenshot near the end, and
/// the quit. False once the run is over.
fn count_frame(app: &App, live: &mut Live) -> bool {
    if live.countdown.is_none() {
        return true;
    }
    let ready = model_on_screen(live);
    let Some(countdown) = &mut live.countdown else {
        return true;
    };
    let total = countdown.total();
    let counted = match countdown.step(app.elapsed_frames(), ready, app.time()) {
        Step::Waiting => return true,
        Step::Started { waited } => {
            if waited > 0 {
                tracing::info!(
                    "the model's first picture after {waited} frames: counting {total} from here"
                );
            }
            live.frames.restart_timing();
            0
        }
        Step::Counting(counted) => counted,
        Step::Done => {
            app.quit();
            return false;
        }
    };
    if counted + 2 == total {
        tracing::info!("{}", live.frames.summary());
        tracing::info!("{}", super::headless::stage_medians(live.frames.stages()));
    }
    if let Some(path) = live.options.screenshot.as_ref() {
        if counted + SCREENSHOT_LEAD == total.max(SCREENSHOT_LEAD) {
            app.main_window().save_screenshot(path.clone());
        }
    }
    true
}

/// The model's picture is on screen, or there is none to wait for (no model, or it failed).
fn model_on_screen(live: &Live) -> bool {
    let shown = live
        .last
        .as_ref()
        .is_some_and(|(_, model, _)| model != NO_MODEL && !model.is_empty());
    let failed = live.engine_notice.is_some()
        || live
            .state
            .notice()
            .is_some_and(|notice| notice.starts_with(MODEL_NOT_LOADED));
    shown || failed || live.state.model().is_none()
}

fn show(app: &App, live: &mut Live, mut output: Output) {
    let with_look = live.state.view() != ViewMode::Output;
    live.textures.model.show(app, &mut output, with_look);
    if live.state.view() == ViewMode::All {
        let dims = output.frame.dimensions();
        let bytes = rgb_to_rgba(output.frame.as_raw());
        if live.textures.frame_size != dims {
            live.textures.frame = rgba_image(app, dims.0, dims.1, bytes);
            live.textures.frame_size = dims;
        } else {
            app.modify_image(&live.textures.frame, move |image| image.data = Some(bytes));
        }
    }
    live.frames.record_output(&output.timings);
    live.last = Some((output.timings, output.model, output.size));
}

fn view(app: &App, live: &Live) {
    let draw = app.draw();
    draw.background().color(BLACK);
    if live.state.blackout() && live.state.level() <= 0.0 {
        return;
    }
    let window = app.window_rect();
    let pictures = draw.shader_model(Composite::at_level(live.state.level()));
    let (w, h) = (window.w(), window.h());
    match live.state.view() {
        ViewMode::Output => {
            let side = square_side(w, h, live.options.fill);
            pictures
                .rect()
                .w_h(side, side)
                .texture(&live.textures.model.output);
        }
        ViewMode::LookOutput => {
            let side = square_side(w / 2.0, h, Fill::Fit);
            pictures
                .rect()
                .x(-w / 4.0)
                .w_h(side, side)
                .texture(&live.textures.model.look);
            pictures
                .rect()
                .x(w / 4.0)
                .w_h(side, side)
                .texture(&live.textures.model.output);
        }
        ViewMode::All => {
            let third = w / 3.0;
            let (fw, fh) = live.textures.frame_size;
            let scale = (third / fw as f32).min(h / fh as f32);
            pictures
                .rect()
                .x(-third)
                .w_h(fw as f32 * scale, fh as f32 * scale)
                .texture(&live.textures.frame);
            let side = square_side(third, h, Fill::Fit);
            pictures
                .rect()
                .w_h(side, side)
                .texture(&live.textures.model.look);
            pictures
                .rect()
                .x(third)
                .w_h(side, side)
                .texture(&live.textures.model.output);
        }
    }
    if live.state.overlay() {
        draw_overlay(app, live, &draw, window);
    }
}

fn key_pressed(app: &App, live: &mut Live, key: KeyCode) {
    let held = |a, b| app.keys().pressed(a) || app.keys().pressed(b);
    let modifiers = Modifiers {
        shift: held(KeyCode::ShiftLeft, KeyCode::ShiftRight),
        ctrl: held(KeyCode::ControlLeft, KeyCode::ControlRight),
        alt: held(KeyCode::AltLeft, KeyCode::AltRight),
    };
    if let Some(key) = show_key(key) {
        apply(app, live, Command::Key(key, modifiers));
    }
}

fn preset_stamps(dir: &Path) -> Vec<(PathBuf, Option<std::time::SystemTime>)> {
    crate::control::preset::preset_files(dir)
        .into_iter()
        .map(|path| {
            let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
            (path, modified)
        })
        .collect()
}

/// Hot reload: twice a second, when preset files changed, the state gets them read again.
fn reload_presets(app: &App, live: &mut Live) {
    if live.presets_checked.elapsed().as_secs_f32() < 0.5 {
        return;
    }
    live.presets_checked = Instant::now();
    let stamps = preset_stamps(&live.options.presets);
    if stamps == live.presets_stamp {
        return;
    }
    live.presets_stamp = stamps;
    let fresh = PresetList::load(&live.options.presets, &live.options.models);
    apply(app, live, Command::ReloadPresets(fresh));
}
