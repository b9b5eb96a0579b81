//! The nannou sketch: engine output into textures, composited full-screen, keys for the
//! performer, an overlay with what is going on.

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use nannou::prelude::*;

use super::composite::{fade_level, Composite};
use super::engine::{load_model, Engine, Output, Pipeline, Settings};
use super::presets::PresetList;
use super::sketch::{blank, rgba_image, DeviceChoice, ModelTextures, Show};
use super::source::{self, SourceHandle, SourceSpec};
use super::view::{rgb_to_rgba, square_side, Fill, ViewMode};
use crate::control::midi::{Arg, LearnTarget};
use crate::control::osc::valid_preset_name;
use crate::control::{Command, Learn, Param, Selector};
use crate::preset::Preset;

#[derive(Clone, Debug)]
pub struct LiveOptions {
    pub preset: Option<String>,
    pub source: SourceSpec,
    pub fullscreen: bool,
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
}

mod remote;

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

struct Live {
    options: LiveOptions,
    source: Option<SourceHandle>,
    engine: Option<Engine>,
    sync: Option<Mutex<SyncPipeline>>,
    presets: PresetList,
    current: Option<usize>,
    settings: Settings,
    view: ViewMode,
    blackout: bool,
    /// Master level of the composite, gliding to 0 on blackout and back to 1.
    level: f32,
    overlay: bool,
    fullscreen: bool,
    textures: Textures,
    last: Option<(super::engine::Timings, String, usize)>,
    outputs_seen: u64,
    notice: Option<String>,
    remote: remote::Remote,
    /// Where continuous parameters are heading; `settings` glides towards them.
    targets: Targets,
    crossfade: f32,
    /// State changed since feedback was last sent.
    dirty: bool,
    /// What the performer changed last: MIDI learn binds to it.
    last_touched: Option<LearnTarget>,
    frames: FrameStats,
    presets_stamp: Vec<(PathBuf, Option<std::time::SystemTime>)>,
    presets_checked: Instant,
}

/// Target values of the continuous parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Targets {
    brightness: f32,
    contrast: f32,
    downscale: f32,
    smoothing: f32,
}

impl Targets {
    fn value(&self, param: Param, crossfade: f32) -> f32 {
        match param {
            Param::Brightness => self.brightness,
            Param::Contrast => self.contrast,
            Param::Downscale => self.downscale,
            Param::Smoothing => self.smoothing,
            Param::Crossfade => crossfade,
        }
    }

    fn of(settings: &Settings) -> Self {
        Self {
            brightness: settings.look.brightness,
            contrast: settings.look.contrast,
            downscale: settings.look.downscale,
            smoothing: settings.smoothing,
        }
    }
}

/// Runs the live show in a window until it is closed (or for `options.frames`).
pub fn run(options: LiveOptions) {
    let frames = options.frames;
    OPTIONS.set(options).expect("live runs once per process");
    let mut builder = nannou::app(model).update(update).add_plugin(Show::plugin());
    if let Some(frames) = frames {
        builder = builder.set_run_mode(RunMode::Ticks(frames));
    }
    builder.run();
    if let Some(frames) = frames {
        println!("frames drawn: {frames}");
    }
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
    let presets = PresetList::load(&options.presets, &options.models);
    let current = choose_preset(&presets, options.preset.as_deref());
    let preset = current.and_then(|i| presets.entries[i].preset.clone().ok());
    let settings = Settings {
        look: preset.as_ref().map(|p| p.look).unwrap_or_default(),
        smoothing: preset.as_ref().map_or(0.5, |p| p.smoothing),
        frozen: false,
    };
    let mut notice = None;
    let (source, engine, sync) = if options.sync {
        let model =
            preset
                .as_ref()
                .and_then(|p| match load_model(&presets.model_dir(p), 0.0, None) {
                    Ok(model) => Some(model),
                    Err(error) => {
                        notice = Some(format!("model not loaded: {error:#}"));
                        None
                    }
                });
        let pipeline = Pipeline::new(model, 256);
        (
            None,
            None,
            Some(Mutex::new(SyncPipeline { pipeline, frame: 0 })),
        )
    } else {
        let source = source::start(&options.source);
        let engine = Engine::start_on(source.clone(), settings, 256, options.device.backend());
        if let Some(preset) = &preset {
            engine.load(presets.model_dir(preset), 0.0);
        }
        (Some(source), Some(engine), None)
    };
    if preset.is_none() {
        notice = Some(match current {
            Some(i) => presets.entries[i].preset.clone().err().unwrap_or_default(),
            None => format!(
                "no presets in {}: showing the look",
                options.presets.display()
            ),
        });
    }
    let mut notices = Vec::new();
    let mut remote = remote::Remote::start(&options, &mut notices);
    remote
        .midi
        .set_preset_map(preset.as_ref().and_then(|p| p.midi.clone()));
    if let Some(first) = notices.into_iter().next() {
        notice = Some(first);
    }
    Live {
        remote,
        targets: Targets::of(&settings),
        crossfade: preset.as_ref().map_or(1.0, |p| p.crossfade),
        dirty: true,
        last_touched: None,
        frames: FrameStats::default(),
        presets_stamp: preset_stamps(&options.presets),
        presets_checked: Instant::now(),
        textures: Textures {
            model: ModelTextures::new(app, 256),
            frame: blank(app, 16, 9),
            frame_size: (16, 9),
        },
        view: options.view,
        overlay: options.overlay,
        fullscreen: options.fullscreen,
        options,
        source,
        engine,
        sync,
        presets,
        current,
        settings,
        blackout: false,
        level: 1.0,
        last: None,
        outputs_seen: 0,
        notice,
    }
}

/// The asked-for preset, else `default`, else the first valid one.
fn choose_preset(presets: &PresetList, wanted: Option<&str>) -> Option<usize> {
    if let Some(name) = wanted {
        let found = presets.find(name);
        if found.is_none() {
            eprintln!(
                "warning: no preset `{name}` in {}; using the default",
                presets.models.display()
            );
        }
        if found.is_some() {
            return found;
        }
    }
    presets
        .find("default")
        .or_else(|| presets.entries.iter().position(|e| e.preset.is_ok()))
}

/// Frame times, for the overlay, `/lts/state` and the summary at the end of a timed run.
#[derive(Default)]
struct FrameStats {
    drawn: u64,
    fps: f32,
    times_ms: Vec<f32>,
    /// Stage timings of the engine outputs shown.
    stages: Vec<super::engine::Timings>,
}

impl FrameStats {
    const WARM_UP: u64 = 10;

    fn record(&mut self, app: &App) {
        self.drawn = app.elapsed_frames();
        self.fps = app.fps() as f32;
        if self.drawn > Self::WARM_UP && self.times_ms.len() < 1_000_000 {
            self.times_ms.push(app.time_delta() * 1e3);
        }
    }

    fn record_output(&mut self, timings: &super::engine::Timings) {
        if self.drawn > Self::WARM_UP && self.stages.len() < 1_000_000 {
            self.stages.push(*timings);
        }
    }

    fn summary(&self) -> String {
        let mut times = self.times_ms.clone();
        if times.is_empty() {
            return "frame time: not measured".into();
        }
        times.sort_by(f32::total_cmp);
        let mean = times.iter().sum::<f32>() / times.len() as f32;
        let p99 = times[(times.len() * 99 / 100).min(times.len() - 1)];
        format!(
            "frame time: mean {mean:.1} ms, p99 {p99:.1} ms, max {:.1} ms over {} frames",
            times[times.len() - 1],
            times.len()
        )
    }
}

fn update(app: &App, live: &mut Live) {
    let frame_index = app.elapsed_frames();
    live.frames.record(app);
    if live.options.frames == Some(frame_index + 2) {
        println!("{}", live.frames.summary());
        println!("{}", super::headless::stage_medians(&live.frames.stages));
    }
    remote::poll(live);
    reload_presets(live);
    glide(live, app.time_delta());
    remote::push_state(live);
    if let (Some(total), Some(path)) = (live.options.frames, &live.options.screenshot) {
        if frame_index + SCREENSHOT_LEAD == total {
            app.main_window().save_screenshot(path.clone());
        }
    }
    let output = match (&live.sync, &live.engine) {
        (Some(sync), _) => {
            let mut sync = sync.lock().unwrap_or_else(|e| e.into_inner());
            let t = sync.frame as f32 / 30.0;
            sync.frame += 1;
            let frame = std::sync::Arc::new(source::synthetic::frame(t));
            match sync.pipeline.process(frame, &live.settings) {
                Ok(output) => Some(output),
                Err(error) => {
                    live.notice = Some(format!("{error:#}"));
                    None
                }
            }
        }
        (None, Some(engine)) => {
            engine.set_settings(live.settings);
            if let Some(notice) = engine.notice() {
                live.notice = Some(notice);
            }
            engine.outputs.take()
        }
        _ => None,
    };
    if let Some(output) = output {
        show(app, live, output);
    }
}

fn show(app: &App, live: &mut Live, mut output: Output) {
    let with_look = live.view != ViewMode::Output;
    live.textures.model.show(app, &mut output, with_look);
    if live.view == ViewMode::All {
        let dims = output.frame.dimensions();
        let bytes = rgb_to_rgba(output.frame.as_raw());
        if live.textures.frame_size != dims {
            live.textures.frame = rgba_image(app, dims.0, dims.1, bytes);
            live.textures.frame_size = dims;
        } else {
            app.modify_image(&live.textures.frame, move |image| image.data = Some(bytes));
        }
    }
    live.outputs_seen += 1;
    live.frames.record_output(&output.timings);
    live.last = Some((output.timings, output.model, output.size));
}

fn view(app: &App, live: &Live) {
    let draw = app.draw();
    draw.background().color(BLACK);
    if live.blackout && live.level <= 0.0 {
        return;
    }
    let window = app.window_rect();
    let pictures = draw.shader_model(Composite::at_level(live.level));
    let (w, h) = (window.w(), window.h());
    match live.view {
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
    if live.overlay {
        draw_overlay(app, live, &draw, window);
    }
}

fn draw_overlay(app: &App, live: &Live, draw: &Draw, window: geom::Rect<f32>) {
    let mut lines = vec![format!("{:.0} fps", app.fps())];
    if let Some((timings, model, size)) = &live.last {
        let device = live
            .engine
            .as_ref()
            .and_then(|engine| engine.device.get().cloned())
            .unwrap_or_else(|| "CPU".into());
        lines.push(format!(
            "look {:.1} ms · generator {:.1} ms · frame {:.1} ms · {size}² · {device}",
            timings.look_ms, timings.generator_ms, timings.total_ms
        ));
        lines.push(format!("model {model}"));
    }
    if let Some(i) = live.current {
        lines.push(format!(
            "preset {} ({}/{})",
            preset_label(live, i),
            i + 1,
            live.presets.entries.len()
        ));
    }
    let look = &live.settings.look;
    lines.push(format!(
        "downscale {:.1} · contrast {:.2} · brightness {:+.2} · smoothing {:.2}{}{}{}",
        look.downscale,
        look.contrast,
        look.brightness,
        live.settings.smoothing,
        if look.flip_h { " · flip h" } else { "" },
        if look.flip_v { " · flip v" } else { "" },
        if live.settings.frozen {
            " · FROZEN"
        } else {
            ""
        },
    ));
    if let Some(source) = &live.source {
        lines.push(format!("source {}", source.status()));
    }
    if let Some(midi) = &live.remote.midi_input {
        lines.push(midi.status());
    }
    if let Some(target) = live.remote.midi.learning() {
        lines.push(format!(
            "MIDI learn: move a knob or hit a pad for {} (l cancels)",
            target.label()
        ));
    }
    if let Some(notice) = &live.notice {
        lines.push(format!("! {notice}"));
    }
    let text = lines.join("\n");
    let pad = 12.0;
    draw.text(&text)
        .font_size(14)
        .left_justify()
        .align_text_top()
        .color(WHITE)
        .x_y(
            window.left() + window.w() / 2.0 + pad,
            window.top() - window.h() / 2.0 - pad,
        )
        .w_h(window.w() - 2.0 * pad, window.h() - 2.0 * pad);
}

fn preset_label(live: &Live, index: usize) -> String {
    match &live.presets.entries[index].preset {
        Ok(preset) => preset.name.clone(),
        Err(_) => live.presets.entries[index].path.display().to_string(),
    }
}

fn switch_preset(live: &mut Live, index: usize) {
    let Some(entry) = live.presets.entries.get(index) else {
        live.notice = Some(format!("no preset {}", index + 1));
        return;
    };
    match &entry.preset {
        Ok(preset) => {
            let preset: Preset = preset.clone();
            live.settings.look = preset.look;
            live.settings.smoothing = preset.smoothing;
            live.targets = Targets::of(&live.settings);
            live.crossfade = preset.crossfade;
            live.dirty = true;
            live.current = Some(index);
            live.notice = None;
            live.remote.midi.set_preset_map(preset.midi.clone());
            let dir = live.presets.model_dir(&preset);
            if let Some(engine) = &live.engine {
                engine.load(dir, preset.crossfade);
            } else if let Some(sync) = &live.sync {
                let mut sync = sync.lock().unwrap_or_else(|e| e.into_inner());
                match load_model(&dir, preset.crossfade, None) {
                    Ok(model) => sync.pipeline.set_model(model),
                    Err(error) => live.notice = Some(format!("model not loaded: {error:#}")),
                }
            }
        }
        Err(error) => live.notice = Some(error.clone()),
    }
}

fn set_cursor_visible(app: &App, window: Entity, visible: bool) {
    app.command_scope(move |mut commands| {
        commands.queue(move |world: &mut World| {
            if let Some(mut cursor) = world.get_mut::<CursorOptions>(window) {
                cursor.visible = visible;
            }
        });
    });
}

fn set_fullscreen(app: &App, window: Entity, fullscreen: bool) {
    app.command_scope(move |mut commands| {
        commands.queue(move |world: &mut World| {
            if let Some(mut window) = world.get_mut::<Window>(window) {
                window.mode = if fullscreen {
                    bevy::window::WindowMode::BorderlessFullscreen(MonitorSelection::Current)
                } else {
                    bevy::window::WindowMode::Windowed
                };
            }
        });
    });
    set_cursor_visible(app, window, !fullscreen);
}

fn key_pressed(app: &App, live: &mut Live, key: KeyCode) {
    let shift = app.keys().pressed(KeyCode::ShiftLeft) || app.keys().pressed(KeyCode::ShiftRight);
    match key {
        KeyCode::Digit1
        | KeyCode::Digit2
        | KeyCode::Digit3
        | KeyCode::Digit4
        | KeyCode::Digit5
        | KeyCode::Digit6
        | KeyCode::Digit7
        | KeyCode::Digit8
        | KeyCode::Digit9 => apply(live, Command::Preset(Selector::Index(digit(key)))),
        KeyCode::ArrowRight => apply(live, Command::Preset(Selector::Next)),
        KeyCode::ArrowLeft => apply(live, Command::Preset(Selector::Prev)),
        KeyCode::KeyV if shift => apply(live, Command::FlipV(None)),
        KeyCode::KeyV => apply(live, Command::View(None)),
        KeyCode::KeyH => apply(live, Command::FlipH(None)),
        KeyCode::KeyL if live.remote.midi.learning().is_some() => {
            apply(live, Command::MidiLearn(Learn::Cancel))
        }
        KeyCode::KeyL => apply(live, Command::MidiLearn(Learn::LastTouched)),
        KeyCode::KeyF => {
            live.fullscreen = !live.fullscreen;
            set_fullscreen(app, app.window_id(), live.fullscreen);
        }
        KeyCode::Space => apply(live, Command::Freeze(None)),
        KeyCode::KeyB => apply(live, Command::Blackout(None)),
        KeyCode::KeyO => live.overlay = !live.overlay,
        KeyCode::BracketLeft => apply(
            live,
            Command::Set(Param::Downscale, live.targets.downscale / 1.1),
        ),
        KeyCode::BracketRight => apply(
            live,
            Command::Set(Param::Downscale, live.targets.downscale * 1.1),
        ),
        KeyCode::Minus => apply(
            live,
            Command::Set(Param::Contrast, live.targets.contrast - 0.05),
        ),
        KeyCode::Equal => apply(
            live,
            Command::Set(Param::Contrast, live.targets.contrast + 0.05),
        ),
        KeyCode::Comma => apply(
            live,
            Command::Set(Param::Brightness, live.targets.brightness - 0.02),
        ),
        KeyCode::Period => apply(
            live,
            Command::Set(Param::Brightness, live.targets.brightness + 0.02),
        ),
        KeyCode::Escape if live.fullscreen => {
            live.fullscreen = false;
            set_fullscreen(app, app.window_id(), false);
        }
        _ => {}
    }
}

fn digit(key: KeyCode) -> usize {
    [
        KeyCode::Digit1,
        KeyCode::Digit2,
        KeyCode::Digit3,
        KeyCode::Digit4,
        KeyCode::Digit5,
        KeyCode::Digit6,
        KeyCode::Digit7,
        KeyCode::Digit8,
        KeyCode::Digit9,
    ]
    .iter()
    .position(|k| *k == key)
    .unwrap_or(0)
}

/// Applies one command to the show's state (continuous values become glide targets).
fn apply(live: &mut Live, command: Command) {
    live.dirty = true;
    if let Some(touched) = learn_target(&command) {
        live.last_touched = Some(touched);
    }
    let look = &mut live.settings.look;
    match command {
        Command::Set(param, value) => {
            let value = param.clamp(value);
            match param {
                Param::Brightness => live.targets.brightness = value,
                Param::Contrast => live.targets.contrast = value,
                Param::Downscale => live.targets.downscale = value,
                Param::Smoothing => live.targets.smoothing = value,
                Param::Crossfade => live.crossfade = value,
            }
        }
        Command::Freeze(on) => live.settings.frozen = on.unwrap_or(!live.settings.frozen),
        Command::Blackout(on) => live.blackout = on.unwrap_or(!live.blackout),
        Command::FlipH(on) => look.flip_h = on.unwrap_or(!look.flip_h),
        Command::FlipV(on) => look.flip_v = on.unwrap_or(!look.flip_v),
        Command::Invert(on) => look.invert = on.unwrap_or(!look.invert),
        Command::View(index) => {
            live.view = match index {
                None => live.view.next(),
                Some(0) => ViewMode::Output,
                Some(1) => ViewMode::LookOutput,
                Some(_) => ViewMode::All,
            }
        }
        Command::Preset(selector) | Command::Model(selector) => {
            let count = live.presets.entries.len();
            let index = match selector {
                Selector::Index(i) => Some(i),
                Selector::Name(name) => live.presets.find(&name),
                Selector::Next if count > 0 => Some(live.current.map_or(0, |i| (i + 1) % count)),
                Selector::Prev if count > 0 => {
                    Some(live.current.map_or(0, |i| (i + count - 1) % count))
                }
                _ => None,
            };
            match index {
                Some(index) => switch_preset(live, index),
                None => live.notice = Some("no such preset".into()),
            }
        }
        Command::PresetSave(name) => save_preset(live, &name),
        Command::State { reply_to } => remote::reply_state(live, reply_to),
        Command::MidiLearn(learn) => midi_learn(live, learn),
    }
}

/// The address a command came through, for MIDI learn.
fn learn_target(command: &Command) -> Option<LearnTarget> {
    let target = |to: &str, arg: Option<Arg>| Some(LearnTarget::new(to, arg));
    match command {
        Command::Set(param, _) => target(param.name(), None),
        Command::Freeze(_) => target("freeze", None),
        Command::Blackout(_) => target("blackout", None),
        Command::FlipH(_) => target("flip/h", None),
        Command::FlipV(_) => target("flip/v", None),
        Command::Invert(_) => target("invert", None),
        Command::View(None) => target("view", None),
        Command::View(Some(i)) => target("view", Some(Arg::Int(*i as i32))),
        Command::Preset(Selector::Index(i)) => target("preset", Some(Arg::Int(*i as i32))),
        Command::Preset(Selector::Name(name)) => target("preset", Some(Arg::Text(name.clone()))),
        Command::Preset(Selector::Next) => target("preset/next", None),
        Command::Preset(Selector::Prev) => target("preset/prev", None),
        _ => None,
    }
}

fn midi_learn(live: &mut Live, learn: Learn) {
    let target = match learn {
        Learn::Cancel => None,
        Learn::Target(target) => Some(target),
        Learn::LastTouched => match live.last_touched.clone() {
            Some(target) => Some(target),
            None => {
                live.notice = Some(
                    "MIDI learn: change something first (a key, a fader), then press l".into(),
                );
                return;
            }
        },
    };
    let starting = target.is_some();
    match live.remote.midi.learn(target) {
        Ok(()) if starting && live.remote.midi_input.is_none() => {
            live.notice = Some("MIDI learn is waiting, but MIDI input is off (--midi)".into())
        }
        Ok(()) => live.notice = None,
        Err(error) => live.notice = Some(error),
    }
}

fn save_preset(live: &mut Live, name: &str) {
    if !valid_preset_name(name) {
        live.notice = Some(format!(
            "preset name `{name}`: use letters, digits, - and _"
        ));
        return;
    }
    let model = live
        .current
        .and_then(|i| live.presets.entries[i].preset.as_ref().ok())
        .map(|p| p.model.clone())
        .unwrap_or_default();
    let mut preset = Preset::new(name, &model, live.settings.look);
    preset.look.brightness = live.targets.brightness;
    preset.look.contrast = live.targets.contrast;
    preset.look.downscale = live.targets.downscale;
    preset.smoothing = live.targets.smoothing;
    preset.crossfade = live.crossfade;
    let path = live.options.presets.join(format!("{name}.toml"));
    match preset.save(&path) {
        Ok(()) => {
            live.presets = PresetList::load(&live.options.presets, &live.options.models);
            live.current = live.presets.find(name);
            live.notice = Some(format!("saved {}", path.display()));
        }
        Err(error) => live.notice = Some(format!("{error:#}")),
    }
}

/// Continuous parameters move towards their targets with a time constant of `glide` seconds,
/// so a jumpy fader or a preset change never jumps on stage.
fn glide(live: &mut Live, dt: f32) {
    let glide = live.options.glide;
    let k = if glide <= 0.0 {
        1.0
    } else {
        1.0 - (-dt / glide).exp()
    };
    let close = |current: &mut f32, target: f32| {
        *current += (target - *current) * k;
        if (*current - target).abs() < 1e-4 {
            *current = target;
        }
    };
    let look = &mut live.settings.look;
    close(&mut look.brightness, live.targets.brightness);
    close(&mut look.contrast, live.targets.contrast);
    close(&mut look.downscale, live.targets.downscale);
    close(&mut live.settings.smoothing, live.targets.smoothing);
    live.level = fade_level(live.level, live.blackout, dt);
}

fn preset_stamps(dir: &std::path::Path) -> Vec<(PathBuf, Option<std::time::SystemTime>)> {
    crate::preset::preset_files(dir)
        .into_iter()
        .map(|path| {
            let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
            (path, modified)
        })
        .collect()
}

/// Hot reload: when preset files change, re-read them; the current preset's new values apply,
/// an invalid file is reported and the running state kept.
fn reload_presets(live: &mut Live) {
    if live.presets_checked.elapsed().as_secs_f32() < 0.5 {
        return;
    }
    live.presets_checked = Instant::now();
    let stamps = preset_stamps(&live.options.presets);
    if stamps == live.presets_stamp {
        return;
    }
    let changed: Vec<PathBuf> = stamps
        .iter()
        .filter(|s| !live.presets_stamp.contains(s))
        .map(|(path, _)| path.clone())
        .collect();
    live.presets_stamp = stamps;
    let current_path = live.current.map(|i| live.presets.entries[i].path.clone());
    let mut fresh = PresetList::load(&live.options.presets, &live.options.models);
    let mut kept = Vec::new();
    // A file that became invalid keeps its last good version: the show never loses a preset
    // to a half-saved edit.
    for entry in &mut fresh.entries {
        if let Err(error) = &entry.preset {
            let previous = live.presets.entries.iter().find(|e| e.path == entry.path);
            if let Some(Ok(good)) = previous.map(|e| &e.preset) {
                tracing::warn!("{error} (keeping the running state)");
                live.notice = Some(format!("{error} (keeping the running state)"));
                entry.preset = Ok(good.clone());
                kept.push(entry.path.clone());
            }
        }
    }
    live.presets = fresh;
    live.current = current_path
        .as_ref()
        .and_then(|path| live.presets.entries.iter().position(|e| &e.path == path));
    for path in &changed {
        let Some(index) = live.presets.entries.iter().position(|e| &e.path == path) else {
            continue;
        };
        match &live.presets.entries[index].preset {
            Err(error) => live.notice = Some(error.clone()),
            Ok(_) if kept.contains(path) => {}
            Ok(_) if Some(path) == current_path.as_ref() => {
                tracing::info!("preset {} changed: reloading", path.display());
                switch_preset(live, index);
            }
            Ok(_) => {}
        }
    }
}
