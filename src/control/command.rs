//! The one type every control input turns into.

use std::net::SocketAddr;

use super::key::{Key, Modifiers};
use super::midi::LearnTarget;

pub use super::param::Param;

/// A model or preset, by position (0-based), by name, or relative to the current one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    Index(usize),
    Name(String),
    Next,
    Prev,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Native value (clamped to the parameter's range).
    Set(Param, f32),
    /// Toggles and switches: `None` flips the current value.
    Freeze(Option<bool>),
    Blackout(Option<bool>),
    FlipH(Option<bool>),
    FlipV(Option<bool>),
    Invert(Option<bool>),
    /// 0 output, 1 look + output, 2 camera + look + output; `None` cycles.
    View(Option<usize>),
    Model(Selector),
    Preset(Selector),
    PresetSave(String),
    /// Send every current value to `reply_to`.
    State {
        reply_to: SocketAddr,
    },
    MidiLearn(Learn),
    /// One raw MIDI message from the controller.
    Midi(Vec<u8>),
    /// One key press: the parameter the table binds to it goes one step up or down.
    Nudge(Param, bool),
    Overlay(Option<bool>),
    Fullscreen(Option<bool>),
    /// The preset files as read again (hot reload, or after a save).
    ReloadPresets(crate::control::preset::PresetList),
    /// The engine has started playing this model.
    ModelLoaded(String),
    Playlist(PlaylistCommand),
    /// A key press (see `show::keys` for what each does).
    Key(Key, Modifiers),
    /// End the show (a deliberate chord; a gallery's supervisor restarts it).
    Quit,
    /// Something outside the state (a model load, a file write) reports a problem or result.
    Report(String),
}

/// MIDI learn: the next knob or pad touched gets bound.
#[derive(Clone, Debug, PartialEq)]
pub enum Learn {
    /// Bind to whatever was changed last (by key, OSC or preset switch).
    LastTouched,
    Target(LearnTarget),
    Cancel,
}

/// On/off switches, by their OSC names.
pub const SWITCHES: [&str; 5] = ["freeze", "blackout", "flip/h", "flip/v", "invert"];

/// Playing a playlist (`presets/playlists/NAME.toml`).
#[derive(Clone, Debug, PartialEq)]
pub enum PlaylistCommand {
    /// Read this playlist and play it.
    Play(String),
    /// A playlist that was read: play it from the top.
    Start(String, Box<crate::control::playlist::Playlist>),
    Stop,
    /// Go on where it stopped.
    Resume,
    /// The next preset now.
    Next,
}
