//! pix2pix training on the CPU, written for speed: every layer's forward and backward pass on
//! im2col/col2im and large matrix products (weight gradients as `g · colsᵀ`, data gradients as
//! `Wᵀ · g` scattered back), activations gathered on the fly, maps stored channel-major so a
//! product writes the next layer's input directly and batch norm reads a channel in one sweep,
//! every buffer kept from step to step. The same step as [`crate::train::gan::Pix2Pix`] under
//! Burn's autodiff (tested against it), which stays the reference and the GPU path.
//!
//! Core layer: knows nothing of wgpu, nannou or clap.

mod bridge;
mod conv;
mod conv_taps;
mod conv_transpose;
mod loss;
mod norm;
mod param;
mod patchgan;
mod pix2pix;
mod product;
mod simd;
mod unet;
mod window;

pub use pix2pix::Pix2PixCpu;
