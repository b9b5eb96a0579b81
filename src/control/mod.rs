//! Control: every input (OSC, keys, presets) becomes a [`Command`] for the live loop.

pub mod command;
pub mod osc;

pub use command::{Command, Param, Selector};
