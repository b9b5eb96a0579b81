//! Measures of whether a model's outputs look like real images of its subject, as distributions
//! rather than pixel by pixel (L1 rewards a blurred guess):
//!
//! - [`swd`]: multi-scale sliced Wasserstein distance between patches of Laplacian-pyramid
//!   levels ([`pyramid`]), after Karras et al. 2018;
//! - [`spectrum`]: the distance between radially averaged power spectra;
//! - [`lattice`]: the checkerboard lattice that stride-2 transposed convolutions print.
//!
//! Images are `3 × size × size` planes in [-1, 1], as the generator writes them. Everything is
//! deterministic (seeded) and needs no downloaded weights. This module imports nothing from the
//! rest of the crate.

pub mod lattice;
pub mod pyramid;
pub mod spectrum;
pub mod swd;
#[cfg(test)]
mod testing;

pub use lattice::{lattice, Lattice, LatticeConfig};
pub use spectrum::{spectrum_distance, SpectrumAnalyser};
pub use swd::{sliced_wasserstein, Swd, SwdConfig};

/// Colour channels of the images measured.
pub const CHANNELS: usize = 3;
