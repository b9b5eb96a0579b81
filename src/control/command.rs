//! The one type every control input turns into.

use std::net::SocketAddr;

use super::midi::LearnTarget;

/// Continuous parameters: each has a native range and takes a controller's 0..1 too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Param {
    Brightness,
    Contrast,
    Downscale,
    Smoothing,
    Crossfade,
}

impl Param {
    pub const ALL: [Param; 5] = [
        Param::Brightness,
        Param::Contrast,
        Param::Downscale,
        Param::Smoothing,
        Param::Crossfade,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Param::Brightness => "brightness",
            Param::Contrast => "contrast",
            Param::Downscale => "downscale",
            Param::Smoothing => "smoothing",
            Param::Crossfade => "crossfade",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Native range, inclusive.
    pub fn range(self) -> (f32, f32) {
        match self {
            Param::Brightness => (-1.0, 1.0),
            Param::Contrast => (0.0, 4.0),
            Param::Downscale => (1.0, 64.0),
            Param::Smoothing => (0.0, 0.99),
            Param::Crossfade => (0.0, 10.0),
        }
    }

    pub fn clamp(self, value: f32) -> f32 {
        let (lo, hi) = self.range();
        value.clamp(lo, hi)
    }

    /// Maps a controller's 0..1 onto the native range (downscale is exponential, so a fader
    /// spends as much travel on 1..8 as on 8..64).
    pub fn from_norm(self, norm: f32) -> f32 {
        let norm = norm.clamp(0.0, 1.0);
        let (lo, hi) = self.range();
        match self {
            Param::Downscale => lo * (hi / lo).powf(norm),
            _ => lo + (hi - lo) * norm,
        }
    }

    pub fn to_norm(self, value: f32) -> f32 {
        let (lo, hi) = self.range();
        let value = self.clamp(value);
        match self {
            Param::Downscale => (value / lo).ln() / (hi / lo).ln(),
            _ => (value - lo) / (hi - lo),
        }
    }
}

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
