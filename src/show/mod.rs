//! The show's behaviour, with no threads, windows or devices: every input (keys, OSC, MIDI,
//! preset files, the engine's reports) is a [`Command`](crate::control::Command) that
//! [`ShowState::apply`] turns into state and [`Effect`]s; [`ShowState::tick`] moves time on.
//! The nannou app, the remote thread and the headless renderer are adapters around it.
//!
//! May import: `look`, `control` (commands, keys, parameters, presets, playlists). Never `live`,
//! nannou, wgpu or clap.

mod fade;
mod feedback;
mod keys;
mod playlist;
mod settings;
mod state;
mod view;

#[cfg(test)]
mod tests;

pub use crate::control::{Key, Modifiers};
pub use fade::{fade_level, BLACKOUT_FADE_SECONDS};
pub use feedback::state_messages;
pub use settings::Settings;
pub use state::{Effect, Readings, ShowConfig, ShowState};
pub use view::ViewMode;
