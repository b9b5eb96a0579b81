//! The live show: sources → look → generator → composite, in a nannou window or headless.
//! `app` is the window adapter around [`crate::show::ShowState`]; `engine` runs the frames.
//!
//! May import everything below it (`show`, `control`, `gpu`, core); only `app`, `sketch`,
//! `composite`, `clustering` and `gpu_link` touch nannou or Bevy.

pub mod app;
pub mod clustering;
pub mod composite;
pub mod engine;
pub mod gpu_link;
pub mod gpu_stages;
pub mod headless;
pub mod latest;
pub mod post;
pub mod sketch;
pub mod source;
#[cfg(test)]
mod testing;
pub mod view;
