//! The mapping file: which knob drives which parameter, which pad plays which preset.
//!
//! Targets are the OSC addresses under `/lts/` (without the prefix), so everything a
//! controller can reach over OSC it can reach over MIDI, with the same meaning.
//!
//! ```toml
//! device = "nanoKONTROL"          # part of the port name; "" = the first hardware port
//! soft_takeover = true
//! cc = [
//!   { cc = 0, to = "brightness" },
//!   { cc = 1, to = "contrast", channel = 1 },
//!   { cc = 45, to = "blackout" },   # a switch: on at 64 and above
//! ]
//! note = [
//!   { note = 36, to = "preset", arg = 0 },
//!   { note = 37, to = "preset/next" },
//!   { note = 38, to = "freeze" },   # a switch with no argument toggles
//! ]
//! ```

use std::net::SocketAddr;
use std::path::Path;

use anyhow::{bail, Context, Result};
use rosc::{OscMessage, OscType};
use serde::{Deserialize, Serialize};

use crate::control::osc::parse_message;
use crate::control::{Command, Param, SWITCHES};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MidiMap {
    /// Part of the MIDI input port's name (case-insensitive); empty: the first port that is
    /// not ALSA's "Midi Through".
    #[serde(default)]
    pub device: String,
    #[serde(default = "yes")]
    pub soft_takeover: bool,
    #[serde(default)]
    pub cc: Vec<CcBinding>,
    #[serde(default)]
    pub note: Vec<NoteBinding>,
}

fn yes() -> bool {
    true
}

/// No bindings, soft takeover on: the same as an empty mapping file.
impl Default for MidiMap {
    fn default() -> Self {
        Self {
            device: String::new(),
            soft_takeover: yes(),
            cc: Vec::new(),
            note: Vec::new(),
        }
    }
}

/// A knob or fader: a continuous parameter (0..127 over its range) or a switch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CcBinding {
    pub cc: u8,
    /// 1..=16; absent: any channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<u8>,
    pub to: String,
}

/// A pad or key: sends `to` with `arg` on note-on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteBinding {
    pub note: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<u8>,
    pub to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arg: Option<Arg>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Arg {
    Int(i32),
    Float(f32),
    Text(String),
}

impl Arg {
    fn osc(&self) -> OscType {
        match self {
            Arg::Int(v) => OscType::Int(*v),
            Arg::Float(v) => OscType::Float(*v),
            Arg::Text(v) => OscType::String(v.clone()),
        }
    }
}

/// What a CC can drive.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CcTarget {
    Param(Param),
    Switch(&'static str),
}

impl CcTarget {
    pub fn parse(to: &str) -> Option<Self> {
        Param::from_name(to).map(CcTarget::Param).or_else(|| {
            SWITCHES
                .iter()
                .find(|s| **s == to)
                .map(|s| CcTarget::Switch(s))
        })
    }
}

/// The command a note binding sends, checked through the OSC parser.
pub fn note_command(to: &str, arg: Option<&Arg>) -> Option<Command> {
    let message = OscMessage {
        addr: format!("/lts/{to}"),
        args: arg.map(Arg::osc).into_iter().collect(),
    };
    match parse_message(&message, SocketAddr::from(([127, 0, 0, 1], 0))) {
        Ok(Command::State { .. }) | Err(_) => None,
        Ok(command) => Some(command),
    }
}

fn channel_matches(wanted: Option<u8>, channel: u8) -> bool {
    wanted.is_none_or(|w| w == channel)
}

impl MidiMap {
    pub fn load(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let map: MidiMap = toml::from_str(&text)
            .with_context(|| format!("MIDI map {} is invalid", path.display()))?;
        map.validate()
            .with_context(|| format!("MIDI map {} is invalid", path.display()))?;
        Ok(map)
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        crate::atomic::write_atomic(path, toml::to_string_pretty(self)?.as_bytes())
            .with_context(|| format!("writing {}", path.display()))
    }

    pub fn validate(&self) -> Result<()> {
        let channel_ok = |c: Option<u8>| c.is_none_or(|c| (1..=16).contains(&c));
        for binding in &self.cc {
            if binding.cc > 127 || !channel_ok(binding.channel) {
                bail!("cc {}: cc is 0..127 and channel 1..16", binding.cc);
            }
            if CcTarget::parse(&binding.to).is_none() {
                bail!(
                    "cc {}: `{}` is not a parameter or switch ({}, {})",
                    binding.cc,
                    binding.to,
                    Param::ALL.map(Param::name).join(", "),
                    SWITCHES.join(", ")
                );
            }
        }
        for binding in &self.note {
            if binding.note > 127 || !channel_ok(binding.channel) {
                bail!("note {}: note is 0..127 and channel 1..16", binding.note);
            }
            if note_command(&binding.to, binding.arg.as_ref()).is_none() {
                bail!(
                    "note {}: `/lts/{}` with {:?} is not a command",
                    binding.note,
                    binding.to,
                    binding.arg
                );
            }
        }
        Ok(())
    }

    pub fn cc_target(&self, channel: u8, cc: u8) -> Option<CcTarget> {
        self.cc
            .iter()
            .find(|b| b.cc == cc && channel_matches(b.channel, channel))
            .and_then(|b| CcTarget::parse(&b.to))
    }

    pub fn note_binding(&self, channel: u8, note: u8) -> Option<&NoteBinding> {
        self.note
            .iter()
            .find(|b| b.note == note && channel_matches(b.channel, channel))
    }

    /// Binds a CC, replacing whatever that CC (on that channel) did before.
    pub fn bind_cc(&mut self, channel: u8, cc: u8, to: &str) {
        self.cc
            .retain(|b| !(b.cc == cc && channel_matches(b.channel, channel)));
        self.cc.push(CcBinding {
            cc,
            channel: Some(channel),
            to: to.to_string(),
        });
    }

    pub fn bind_note(&mut self, channel: u8, note: u8, to: &str, arg: Option<Arg>) {
        self.note
            .retain(|b| !(b.note == note && channel_matches(b.channel, channel)));
        self.note.push(NoteBinding {
            note,
            channel: Some(channel),
            to: to.to_string(),
            arg,
        });
    }
}
