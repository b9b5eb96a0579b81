//! The live show: sources → look → generator → composite, in a nannou window or headless.

pub mod app;
pub mod engine;
pub mod headless;
pub mod latest;
pub mod presets;
pub mod source;
pub mod view;
