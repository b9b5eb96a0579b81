//! Control: every input (OSC, MIDI, keys, presets) becomes a [`Command`] for the show's state;
//! [`param`] is the one table of live parameters.
//!
//! May import: `look`, `preset`, `playlist`, `show`'s key types (a cycle with `show`, still to undo). Never `live`, nannou,
//! wgpu or clap.

pub mod command;
pub mod midi;
pub mod osc;
pub mod oscquery;
pub mod param;
pub mod space;

pub use command::{Command, Learn, Param, PlaylistCommand, Selector, SWITCHES};
