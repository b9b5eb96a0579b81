//! GPU helpers on any wgpu device: the look in WGSL, written straight into the generator's
//! Burn tensor; planar floats packed into display textures; pass timing.
//!
//! May import: `look` (the spec the shaders follow). Never `show`, `control`, `live`, nannou or
//! clap.

pub mod look;
pub mod tensor;
pub mod texture;
pub mod timer;
