//! MIDI controllers: a mapping file, learn mode, soft takeover, and an input that finds its
//! device by name and reconnects when it comes back.

pub mod device;
pub mod map;
pub mod message;
pub mod takeover;

pub use device::MidiInputThread;
pub use map::{Arg, MidiMap};
pub use message::MidiMessage;

use map::{note_command, CcTarget};
use takeover::SoftTakeover;

use super::{Command, Param};

/// What learn mode binds the next control to: an address under `/lts/` and its argument.
#[derive(Clone, Debug, PartialEq)]
pub struct LearnTarget {
    pub to: String,
    pub arg: Option<Arg>,
}

impl LearnTarget {
    pub fn new(to: &str, arg: Option<Arg>) -> Self {
        Self {
            to: to.to_string(),
            arg,
        }
    }

    /// Knobs drive parameters and switches; pads drive switches and commands.
    fn takes_cc(&self) -> bool {
        self.arg.is_none() && CcTarget::parse(&self.to).is_some()
    }

    fn takes_note(&self) -> bool {
        !matches!(CcTarget::parse(&self.to), Some(CcTarget::Param(_)))
            && note_command(&self.to, self.arg.as_ref()).is_some()
    }

    pub fn label(&self) -> String {
        match &self.arg {
            Some(Arg::Int(v)) => format!("{} {v}", self.to),
            Some(Arg::Float(v)) => format!("{} {v}", self.to),
            Some(Arg::Text(v)) => format!("{} {v}", self.to),
            None => self.to.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum MidiEvent {
    Command(Command),
    /// Learn mode bound a control; the text says which (for the overlay).
    Learned(String),
    Ignored,
}

/// Turns raw MIDI into commands.
#[derive(Debug, Default)]
pub struct MidiControl {
    /// The mapping file's bindings (learn mode adds to these).
    pub map: MidiMap,
    /// The current preset's own bindings, consulted first.
    preset: Option<MidiMap>,
    takeover: SoftTakeover,
    learning: Option<LearnTarget>,
}

impl MidiControl {
    pub fn new(map: MidiMap) -> Self {
        Self {
            map,
            ..Self::default()
        }
    }

    pub fn set_preset_map(&mut self, map: Option<MidiMap>) {
        self.preset = map;
    }

    /// Starts learn mode for `target` (or stops it with `None`).
    pub fn learn(&mut self, target: Option<LearnTarget>) -> Result<(), String> {
        if let Some(target) = &target {
            if !target.takes_cc() && !target.takes_note() {
                return Err(format!(
                    "MIDI learn: `/lts/{}` is not a control",
                    target.label()
                ));
            }
        }
        self.learning = target;
        Ok(())
    }

    pub fn learning(&self) -> Option<&LearnTarget> {
        self.learning.as_ref()
    }

    /// One raw message; `current` gives a parameter's present value on 0..1 (for soft takeover).
    pub fn handle(&mut self, bytes: &[u8], current: impl Fn(Param) -> f32) -> MidiEvent {
        let Some(message) = MidiMessage::parse(bytes) else {
            return MidiEvent::Ignored;
        };
        if let Some(learned) = self.try_learn(message) {
            return MidiEvent::Learned(learned);
        }
        let command = match message {
            MidiMessage::ControlChange {
                channel,
                controller,
                value,
            } => match self.cc_target(channel, controller) {
                Some(CcTarget::Param(param)) => {
                    let norm = value as f32 / 127.0;
                    let soft = self.preset.as_ref().unwrap_or(&self.map).soft_takeover;
                    if soft && !self.takeover.admit(param, norm, current(param)) {
                        return MidiEvent::Ignored;
                    }
                    Some(Command::Set(param, param.from_norm(norm)))
                }
                Some(CcTarget::Switch(name)) => {
                    note_command(name, Some(&Arg::Int((value >= 64) as i32)))
                }
                None => None,
            },
            MidiMessage::NoteOn { channel, note, .. } => self
                .preset
                .as_ref()
                .and_then(|m| m.note_binding(channel, note))
                .or_else(|| self.map.note_binding(channel, note))
                .and_then(|b| note_command(&b.to, b.arg.as_ref())),
            MidiMessage::NoteOff { .. } => None,
        };
        command.map_or(MidiEvent::Ignored, MidiEvent::Command)
    }

    fn cc_target(&self, channel: u8, cc: u8) -> Option<CcTarget> {
        self.preset
            .as_ref()
            .and_then(|m| m.cc_target(channel, cc))
            .or_else(|| self.map.cc_target(channel, cc))
    }

    fn try_learn(&mut self, message: MidiMessage) -> Option<String> {
        let target = self.learning.as_ref()?;
        let learned = match message {
            MidiMessage::ControlChange {
                channel,
                controller,
                ..
            } if target.takes_cc() => {
                self.map.bind_cc(channel, controller, &target.to);
                format!("cc {controller} (channel {channel}) → {}", target.label())
            }
            MidiMessage::NoteOn { channel, note, .. } if target.takes_note() => {
                self.map
                    .bind_note(channel, note, &target.to, target.arg.clone());
                format!("note {note} (channel {channel}) → {}", target.label())
            }
            _ => return None,
        };
        self.learning = None;
        Some(learned)
    }
}
