//! The live show: sources → look → generator → composite, in a nannou window or headless.

pub mod app;
pub mod composite;
pub mod engine;
pub mod gpu_link;
pub mod gpu_stages;
pub mod headless;
pub mod latest;
pub mod presets;
pub mod sketch;
pub mod source;
pub mod view;
