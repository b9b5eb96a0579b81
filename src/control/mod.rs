//! Control: every input (OSC, MIDI, keys, presets) becomes a [`Command`] for the live loop.

pub mod command;
pub mod midi;
pub mod osc;
pub mod oscquery;
pub mod space;

pub use command::{Command, Learn, Param, Selector, SWITCHES};
