//! Training pix2pix from a folder of target images: each input is made on the fly by the look.

pub mod checkpoint;
pub mod config;
pub mod data;
pub mod evaluate;
pub mod export;
pub mod gan;
pub mod plot;
pub mod progress;
pub mod report;
pub mod run;
pub mod schedule;
pub mod sheet;

pub use config::TrainConfig;
pub use run::{train, Outcome};
