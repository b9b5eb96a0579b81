//! learning-to-see: Memo Akten's *Learning to See* as a Rust instrument. A pix2pix generator,
//! trained only on target images, re-imagines a camera's view live.
//!
//! - [`look`]: what the network sees (CPU and WGSL, proven equal); [`gpu`]: the WGSL side and
//!   other helpers on a wgpu device.
//! - [`model`]: the U-Net / ResNet generators and PatchGAN in Burn, model packages, PyTorch import.
//! - [`infer`]: running a generator on frames.
//! - [`quality`]: distribution measures of how much outputs look like their subject.
//! - [`show`]: the live show's behaviour as a pure state machine; [`control`] turns OSC, MIDI,
//!   keys and preset files into its commands; [`live`] is the window, engine and sources.

pub mod atomic;
pub mod control;
pub mod gpu;
pub mod infer;
pub mod live;
pub mod look;
pub mod model;
pub mod npy;
pub mod quality;
pub mod show;
pub mod train;
pub mod train_cpu;
pub mod unet_cpu;
