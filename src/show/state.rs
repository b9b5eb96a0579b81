//! One show state: what is playing, where every parameter is and is heading, and what the
//! performer sees in the overlay.

use std::net::SocketAddr;
use std::path::PathBuf;

use super::keys;
use super::playlist::PlaylistRun;
use super::{fade_level, Settings, ViewMode};
use crate::control::midi::{Arg, LearnTarget, MidiControl, MidiEvent, MidiMap};
use crate::control::osc::valid_preset_name;
use crate::control::playlist::playlist_path;
use crate::control::preset::{Preset, PresetList};
use crate::control::{Command, Learn, Param, PlaylistCommand, Selector};

/// State goes out to controllers at most this often.
const PUSH_INTERVAL: f32 = 0.05;
/// Readings (frames drawn, fps) go out this often even when nothing else changed.
const READINGS_INTERVAL: f32 = 1.0;

/// What the state asks the world to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Load this model off the frame path and crossfade to it.
    LoadModel {
        dir: PathBuf,
        name: String,
        crossfade: f32,
    },
    /// Write this preset (then send back [`Command::ReloadPresets`] or a [`Command::Report`]).
    SavePreset {
        path: PathBuf,
        preset: Preset,
    },
    /// MIDI learn bound a control: save the mapping file (`learned` says what was bound).
    SaveMidiMap {
        map: MidiMap,
        learned: String,
    },
    /// Send every current value to this address.
    ReplyState(SocketAddr),
    /// Publish the state to OSCQuery and every OSC client.
    PushState,
    /// Read this playlist file (then send back [`PlaylistCommand::Start`] or a report).
    LoadPlaylist {
        name: String,
        path: PathBuf,
    },
    Fullscreen(bool),
    Quit,
}

/// How the show starts.
#[derive(Clone, Debug)]
pub struct ShowConfig {
    /// Seconds continuous parameters take to glide to a new value.
    pub glide: f32,
    /// Whether a MIDI input is running (learn mode says so when it is not).
    pub midi_input: bool,
    pub midi_map: MidiMap,
    pub view: ViewMode,
    pub overlay: bool,
    pub fullscreen: bool,
    /// A gallery: the keyboard is locked but for deliberate chords.
    pub locked: bool,
}

impl Default for ShowConfig {
    fn default() -> Self {
        Self {
            glide: 0.15,
            midi_input: false,
            midi_map: MidiMap::default(),
            view: ViewMode::Output,
            overlay: true,
            fullscreen: false,
            locked: false,
        }
    }
}

/// Figures the window measures, published to controllers.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Readings {
    pub frames: u64,
    pub fps: f32,
    /// The longest time between two frames lately (the last 5–10 s).
    pub longest_frame_ms: f32,
}

/// Where the continuous parameters are heading; the settings glide towards them.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Targets {
    brightness: f32,
    contrast: f32,
    downscale: f32,
    smoothing: f32,
}

impl Targets {
    fn of(settings: &Settings) -> Self {
        Self {
            brightness: settings.look.brightness,
            contrast: settings.look.contrast,
            downscale: settings.look.downscale,
            smoothing: settings.smoothing,
        }
    }
}

pub struct ShowState {
    presets: PresetList,
    /// Model directories under the models folder, for `/lts/model`.
    models: Vec<String>,
    current: Option<usize>,
    /// The model last asked for, and the one the engine says is playing.
    requested: Option<String>,
    playing: Option<String>,
    settings: Settings,
    targets: Targets,
    crossfade: f32,
    /// Once the performer sets the crossfade, it governs every switch (presets no longer
    /// bring their own).
    crossfade_set: bool,
    view: ViewMode,
    blackout: bool,
    level: f32,
    overlay: bool,
    fullscreen: bool,
    notice: Option<String>,
    last_touched: Option<LearnTarget>,
    midi: MidiControl,
    midi_input: bool,
    glide: f32,
    locked: bool,
    readings: Readings,
    dirty: bool,
    since_push: f32,
    since_readings: f32,
    /// A preset being saved, selected once the reloaded list has it.
    saving: Option<String>,
    playlist: Option<PlaylistRun>,
}

impl ShowState {
    /// Starts on `wanted` (else the `default` preset, else the first valid one); the effects
    /// load its model.
    pub fn new(
        presets: PresetList,
        models: Vec<String>,
        wanted: Option<&str>,
        config: ShowConfig,
    ) -> (Self, Vec<Effect>) {
        let settings = Settings::default();
        let mut state = Self {
            presets,
            models,
            current: None,
            requested: None,
            playing: None,
            settings,
            targets: Targets::of(&settings),
            crossfade: Param::Crossfade.spec().default,
            crossfade_set: false,
            view: config.view,
            blackout: false,
            level: 1.0,
            overlay: config.overlay,
            fullscreen: config.fullscreen,
            notice: None,
            last_touched: None,
            midi: MidiControl::new(config.midi_map),
            midi_input: config.midi_input,
            glide: config.glide,
            locked: config.locked,
            readings: Readings::default(),
            dirty: true,
            since_push: PUSH_INTERVAL,
            since_readings: 0.0,
            saving: None,
            playlist: None,
        };
        let mut missing = None;
        let wanted_index = wanted.and_then(|name| {
            let found = state.presets.find(name);
            if found.is_none() {
                missing = Some(format!(
                    "no preset `{name}` in {}: playing the default",
                    state.presets.dir.display()
                ));
            }
            found
        });
        let index = wanted_index
            .or_else(|| state.presets.find("default"))
            .or_else(|| state.presets.entries.iter().position(|e| e.preset.is_ok()));
        let effects = match index {
            Some(index) => state.switch_preset(index),
            None => {
                state.notice = Some(format!(
                    "no presets in {}: showing the look",
                    state.presets.dir.display()
                ));
                Vec::new()
            }
        };
        if let Some(missing) = missing {
            state.notice = Some(missing);
        }
        (state, effects)
    }

    /// Applies one command; continuous values become glide targets.
    pub fn apply(&mut self, command: Command) -> Vec<Effect> {
        self.dirty = true;
        if let Some(touched) = learn_target(&command) {
            self.last_touched = Some(touched);
        }
        let look = &mut self.settings.look;
        match command {
            Command::Set(param, value) => self.set(param, value),
            Command::Nudge(param, up) => self.set(param, param.nudge(self.target(param), up)),
            Command::Freeze(on) => self.settings.frozen = on.unwrap_or(!self.settings.frozen),
            Command::Blackout(on) => self.blackout = on.unwrap_or(!self.blackout),
            Command::FlipH(on) => look.flip_h = on.unwrap_or(!look.flip_h),
            Command::FlipV(on) => look.flip_v = on.unwrap_or(!look.flip_v),
            Command::Invert(on) => look.invert = on.unwrap_or(!look.invert),
            Command::View(index) => {
                self.view = index.map_or(self.view.next(), ViewMode::from_index);
            }
            Command::Overlay(on) => self.overlay = on.unwrap_or(!self.overlay),
            Command::Fullscreen(on) => {
                let fullscreen = on.unwrap_or(!self.fullscreen);
                if fullscreen != self.fullscreen {
                    self.fullscreen = fullscreen;
                    return vec![Effect::Fullscreen(fullscreen)];
                }
            }
            Command::Preset(selector) => return self.select_preset(selector),
            Command::Model(selector) => return self.select_model(selector),
            Command::PresetSave(name) => return self.save_preset(&name),
            Command::State { reply_to } => return vec![Effect::ReplyState(reply_to)],
            Command::MidiLearn(learn) => self.midi_learn(learn),
            Command::Midi(bytes) => return self.midi(&bytes),
            Command::ReloadPresets(presets) => return self.reload_presets(presets),
            Command::ModelLoaded(name) => self.playing = Some(name),
            Command::Playlist(command) => return self.playlist(command),
            Command::Key(key, modifiers) => {
                let learning = self.midi.learning().is_some();
                let command =
                    keys::command_for(key, modifiers, self.locked, learning, self.fullscreen);
                return command.map_or_else(Vec::new, |command| self.apply(command));
            }
            Command::Quit => return vec![Effect::Quit],
            Command::Report(text) => self.notice = Some(text),
        }
        Vec::new()
    }

    /// Moves time on by `dt` seconds: parameters glide, blackout fades, and state goes out to
    /// controllers when it changed (and readings once a second).
    pub fn tick(&mut self, dt: f32) -> Vec<Effect> {
        let dt = dt.max(0.0);
        let k = if self.glide <= 0.0 {
            1.0
        } else {
            1.0 - (-dt / self.glide).exp()
        };
        let close = |current: &mut f32, target: f32| {
            *current += (target - *current) * k;
            if (*current - target).abs() < 1e-4 {
                *current = target;
            }
        };
        let look = &mut self.settings.look;
        close(&mut look.brightness, self.targets.brightness);
        close(&mut look.contrast, self.targets.contrast);
        close(&mut look.downscale, self.targets.downscale);
        close(&mut self.settings.smoothing, self.targets.smoothing);
        self.level = fade_level(self.level, self.blackout, dt);
        let mut effects = Vec::new();
        if self.playlist.as_mut().is_some_and(|run| run.due(dt)) {
            effects = self.playlist_next();
            self.dirty = true;
        }
        self.since_push += dt;
        self.since_readings += dt;
        if self.since_readings >= READINGS_INTERVAL {
            self.since_readings = 0.0;
            self.dirty = true;
        }
        if self.dirty && self.since_push >= PUSH_INTERVAL {
            self.dirty = false;
            self.since_push = 0.0;
            effects.push(Effect::PushState);
        }
        effects
    }

    /// The window's latest figures (published with the next push).
    pub fn observe(&mut self, readings: Readings) {
        self.readings = readings;
    }

    pub fn settings(&self) -> Settings {
        self.settings
    }

    /// Where a continuous parameter is heading (what controllers show).
    pub fn target(&self, param: Param) -> f32 {
        match param {
            Param::Brightness => self.targets.brightness,
            Param::Contrast => self.targets.contrast,
            Param::Downscale => self.targets.downscale,
            Param::Smoothing => self.targets.smoothing,
            Param::Crossfade => self.crossfade,
        }
    }

    /// Where a continuous parameter is now, mid-glide (what the picture shows).
    pub fn value(&self, param: Param) -> f32 {
        let look = &self.settings.look;
        match param {
            Param::Brightness => look.brightness,
            Param::Contrast => look.contrast,
            Param::Downscale => look.downscale,
            Param::Smoothing => self.settings.smoothing,
            Param::Crossfade => self.crossfade,
        }
    }

    pub fn view(&self) -> ViewMode {
        self.view
    }

    pub fn blackout(&self) -> bool {
        self.blackout
    }

    /// The composite's master level, 0 (black) to 1.
    pub fn level(&self) -> f32 {
        self.level
    }

    pub fn overlay(&self) -> bool {
        self.overlay
    }

    pub fn fullscreen(&self) -> bool {
        self.fullscreen
    }

    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    pub fn presets(&self) -> &PresetList {
        &self.presets
    }

    pub fn models(&self) -> &[String] {
        &self.models
    }

    /// The current preset's index and label.
    pub fn preset(&self) -> Option<(usize, String)> {
        self.current.map(|i| (i, self.presets.label(i)))
    }

    /// The model the engine is playing (else the one asked for, while it loads).
    pub fn model(&self) -> Option<&str> {
        self.playing.as_deref().or(self.requested.as_deref())
    }

    pub fn readings(&self) -> Readings {
        self.readings
    }

    /// The playlist playing (or paused), and where it is.
    pub fn playlist_status(&self) -> Option<String> {
        self.playlist.as_ref().map(PlaylistRun::status)
    }

    /// The name of the playlist playing (not paused).
    pub fn playlist_name(&self) -> Option<&str> {
        self.playlist
            .as_ref()
            .filter(|run| run.running)
            .map(|run| run.name.as_str())
    }

    pub fn midi_learning(&self) -> Option<&LearnTarget> {
        self.midi.learning()
    }

    fn set(&mut self, param: Param, value: f32) {
        if !value.is_finite() {
            self.notice = Some(format!(
                "{} ignored a value that is not a number",
                param.name()
            ));
            return;
        }
        let value = param.clamp(value);
        match param {
            Param::Brightness => self.targets.brightness = value,
            Param::Contrast => self.targets.contrast = value,
            Param::Downscale => self.targets.downscale = value,
            Param::Smoothing => self.targets.smoothing = value,
            Param::Crossfade => {
                self.crossfade = value;
                self.crossfade_set = true;
            }
        }
    }

    fn select_preset(&mut self, selector: Selector) -> Vec<Effect> {
        let count = self.presets.entries.len();
        let named = match &selector {
            Selector::Name(name) => self.presets.find(name),
            _ => None,
        };
        match resolve(&selector, count, self.current, named) {
            Some(index) => self.switch_preset(index),
            None => {
                self.notice = Some(missing("preset", &selector, &self.presets.dir));
                Vec::new()
            }
        }
    }

    fn switch_preset(&mut self, index: usize) -> Vec<Effect> {
        let preset = match &self.presets.entries[index].preset {
            Ok(preset) => preset.clone(),
            Err(error) => {
                self.notice = Some(error.clone());
                return Vec::new();
            }
        };
        self.settings.look = preset.look;
        self.settings.smoothing = preset.smoothing;
        self.targets = Targets::of(&self.settings);
        if !self.crossfade_set {
            self.crossfade = preset.crossfade;
        }
        self.current = Some(index);
        self.notice = None;
        self.midi.set_preset_map(preset.midi.clone());
        vec![self.load(&preset.model)]
    }

    fn load(&mut self, model: &str) -> Effect {
        self.requested = Some(model.to_string());
        self.playing = None;
        Effect::LoadModel {
            dir: self.presets.model_dir(model),
            name: model.to_string(),
            crossfade: self.crossfade,
        }
    }

    fn playlist(&mut self, command: PlaylistCommand) -> Vec<Effect> {
        match command {
            PlaylistCommand::Play(name) => {
                return vec![Effect::LoadPlaylist {
                    path: playlist_path(&self.presets.dir, &name),
                    name,
                }]
            }
            PlaylistCommand::Start(name, playlist) => {
                self.playlist = Some(PlaylistRun::new(&name, *playlist));
                return self.playlist_next();
            }
            PlaylistCommand::Stop => match &mut self.playlist {
                Some(run) => run.running = false,
                None => self.notice = Some("no playlist is playing".into()),
            },
            PlaylistCommand::Resume => match &mut self.playlist {
                Some(run) => run.running = true,
                None => self.notice = Some("no playlist to go on with".into()),
            },
            PlaylistCommand::Next => match &mut self.playlist {
                Some(run) => {
                    run.running = true;
                    return self.playlist_next();
                }
                None => self.notice = Some("no playlist is playing".into()),
            },
        }
        Vec::new()
    }

    /// Switches to the playlist's next preset; a playlist none of whose presets exist stops.
    fn playlist_next(&mut self) -> Vec<Effect> {
        let Some(mut run) = self.playlist.take() else {
            return Vec::new();
        };
        let presets = &self.presets;
        let exists = |name: &str| {
            presets
                .find(name)
                .is_some_and(|i| presets.entries[i].preset.is_ok())
        };
        let all: Vec<String> = (0..presets.entries.len())
            .filter(|&i| presets.entries[i].preset.is_ok())
            .map(|i| presets.label(i))
            .collect();
        let current = self.preset().map(|(_, label)| label);
        let next = run.next(exists, &all, current.as_deref());
        let effects = match next.and_then(|name| self.presets.find(&name)) {
            Some(index) => self.switch_preset(index),
            None => {
                run.running = false;
                self.notice = Some(format!(
                    "playlist {}: none of its presets is in {}; stopped",
                    run.name,
                    self.presets.dir.display()
                ));
                Vec::new()
            }
        };
        self.playlist = Some(run);
        effects
    }

    /// A model from the models folder, keeping the look and the preset.
    fn select_model(&mut self, selector: Selector) -> Vec<Effect> {
        let position = |name: &str| self.models.iter().position(|m| m == name);
        let current = self.model().and_then(position);
        let named = match &selector {
            Selector::Name(name) => position(name),
            _ => None,
        };
        match resolve(&selector, self.models.len(), current, named) {
            Some(index) => {
                self.notice = None;
                let name = self.models[index].clone();
                vec![self.load(&name)]
            }
            None => {
                self.notice = Some(missing("model", &selector, &self.presets.models));
                Vec::new()
            }
        }
    }

    fn save_preset(&mut self, name: &str) -> Vec<Effect> {
        if !valid_preset_name(name) {
            self.notice = Some(format!(
                "preset name `{name}`: use letters, digits, - and _"
            ));
            return Vec::new();
        }
        let model = self.model().unwrap_or_default().to_string();
        let mut preset = Preset::new(name, &model, self.settings.look);
        preset.look.brightness = self.targets.brightness;
        preset.look.contrast = self.targets.contrast;
        preset.look.downscale = self.targets.downscale;
        preset.smoothing = self.targets.smoothing;
        preset.crossfade = self.crossfade;
        self.saving = Some(name.to_string());
        vec![Effect::SavePreset {
            path: self.presets.dir.join(format!("{name}.toml")),
            preset,
        }]
    }

    fn midi_learn(&mut self, learn: Learn) {
        let target = match learn {
            Learn::Cancel => None,
            Learn::Target(target) => Some(target),
            Learn::LastTouched => match self.last_touched.clone() {
                Some(target) => Some(target),
                None => {
                    self.notice = Some(
                        "MIDI learn: change something first (a key, a fader), then press l".into(),
                    );
                    return;
                }
            },
        };
        let starting = target.is_some();
        self.notice = match self.midi.learn(target) {
            Ok(()) if starting && !self.midi_input => {
                Some("MIDI learn is waiting, but MIDI input is off (--midi)".into())
            }
            Ok(()) => None,
            Err(error) => Some(error),
        };
    }

    fn midi(&mut self, bytes: &[u8]) -> Vec<Effect> {
        let targets = |param: Param| param.to_norm(self.target(param));
        let norms: Vec<(Param, f32)> = Param::ALL.iter().map(|&p| (p, targets(p))).collect();
        let current = |param: Param| {
            norms
                .iter()
                .find(|(p, _)| *p == param)
                .map_or(0.0, |(_, v)| *v)
        };
        match self.midi.handle(bytes, current) {
            MidiEvent::Command(command) => self.apply(command),
            MidiEvent::Learned(learned) => {
                self.notice = Some(format!("MIDI learned {learned}"));
                vec![Effect::SaveMidiMap {
                    map: self.midi.map.clone(),
                    learned,
                }]
            }
            MidiEvent::Ignored => Vec::new(),
        }
    }

    /// Hot reload: the current preset's new values apply; a file that became invalid keeps its
    /// last good version (the show never loses a preset to a half-saved edit) and says why.
    fn reload_presets(&mut self, mut fresh: PresetList) -> Vec<Effect> {
        let current_path = self.current.map(|i| self.presets.entries[i].path.clone());
        let mut broken = None;
        for entry in &mut fresh.entries {
            let previous = self.presets.entries.iter().find(|e| e.path == entry.path);
            if let (Err(error), Some(Ok(good))) = (&entry.preset, previous.map(|e| &e.preset)) {
                broken = Some(format!("{error} (keeping the running state)"));
                entry.preset = Ok(good.clone());
            }
        }
        let changed_current = current_path.as_ref().and_then(|path| {
            let old = self.presets.entries.iter().find(|e| &e.path == path)?;
            let new = fresh.entries.iter().position(|e| &e.path == path)?;
            (fresh.entries[new].preset != old.preset).then_some(new)
        });
        self.presets = fresh;
        self.current = current_path
            .as_ref()
            .and_then(|path| self.presets.entries.iter().position(|e| &e.path == path));
        let mut effects = Vec::new();
        if let Some(name) = self.saving.take() {
            match self.presets.find(&name) {
                Some(index) => {
                    self.current = Some(index);
                    self.notice = Some(format!(
                        "saved {}",
                        self.presets.entries[index].path.display()
                    ));
                }
                None => self.notice = Some(format!("preset {name} was not saved")),
            }
        } else if let Some(index) = changed_current {
            let playing = self.requested.clone();
            let mut switched = self.switch_preset(index);
            // Same model: keep it playing rather than reload it.
            switched.retain(
                |e| !matches!(e, Effect::LoadModel { name, .. } if Some(name) == playing.as_ref()),
            );
            if switched.is_empty() {
                self.playing = self.requested.clone();
            }
            effects = switched;
        }
        if let Some(broken) = broken {
            tracing::warn!("{broken}");
            self.notice = Some(broken);
        }
        effects
    }
}

/// The index a selector picks among `count` items (`named`: where its name was found).
fn resolve(
    selector: &Selector,
    count: usize,
    current: Option<usize>,
    named: Option<usize>,
) -> Option<usize> {
    match selector {
        Selector::Index(i) if *i < count => Some(*i),
        Selector::Name(_) => named,
        Selector::Next if count > 0 => Some(current.map_or(0, |i| (i + 1) % count)),
        Selector::Prev if count > 0 => Some(current.map_or(0, |i| (i + count - 1) % count)),
        _ => None,
    }
}

/// "no preset `x` in presets/", for a selector that picks nothing.
fn missing(what: &str, selector: &Selector, dir: &std::path::Path) -> String {
    let which = match selector {
        Selector::Index(i) => format!("number {i} (from 0)"),
        Selector::Name(name) => format!("`{name}`"),
        Selector::Next | Selector::Prev => "to move to".into(),
    };
    format!("no {what} {which} in {}", dir.display())
}

/// The address a command came through, for MIDI learn.
fn learn_target(command: &Command) -> Option<LearnTarget> {
    let target = |to: &str, arg: Option<Arg>| Some(LearnTarget::new(to, arg));
    match command {
        Command::Set(param, _) | Command::Nudge(param, _) => target(param.name(), None),
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
