//! Control: every input (OSC, MIDI, keys, preset files, playlists) becomes a [`Command`] for
//! the show's state; [`param`] is the one table of live parameters.
//!
//! May import: `look`, `atomic`. Never `show`, `live`, `model`, `train`, nannou, wgpu or clap.

pub mod command;
pub mod key;
pub mod midi;
pub mod osc;
pub mod oscquery;
pub mod param;
pub mod playlist;
pub mod preset;
pub mod space;

pub use command::{Command, Learn, Param, PlaylistCommand, Selector, SWITCHES};
pub use key::{Key, Modifiers};
