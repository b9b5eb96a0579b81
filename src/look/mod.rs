//! The look: what the network sees. One definition, a CPU implementation ([`cpu`]) used by
//! training and tests, and a WGSL one (`shaders/preprocess.wgsl`, [`crate::gpu::look`]) used live.
//!
//! From an RGB frame: a square crop (zoom, pan) resized to the model size, Rec. 601 grey,
//! flips, invert, then the Learning-to-See degradation: area downscale by `downscale` and cubic
//! upscale back (OpenCV `INTER_AREA` / `INTER_CUBIC` semantics), then
//! `g' = clamp((g - 0.5) · contrast + 0.5 + brightness, 0, 1)`, output `2g' - 1` in [-1, 1].

pub mod cpu;
pub mod random;
pub mod resample;

use serde::{Deserialize, Serialize};

/// Rec. 601 luma weights (as OpenCV's `COLOR_RGB2GRAY`).
pub const LUMA: [f32; 3] = [0.299, 0.587, 0.114];

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Look {
    /// Area-downscale factor ≥ 1 (1 = no degradation). The low-resolution side is
    /// `round(size / downscale)`, at least 1 pixel. Default 24.
    pub downscale: f32,
    /// Added to grey in [0, 1] after contrast; −1..1, default 0. Training draws ±0.2.
    pub brightness: f32,
    /// Multiplies grey around mid-grey 0.5; 0..4, default 1. Training draws 0.85..1.15.
    pub contrast: f32,
    pub invert: bool,
    pub flip_h: bool,
    pub flip_v: bool,
    /// ≥ 1: crops a smaller centre square of the frame.
    pub zoom: f32,
    /// −1..1: moves the crop within the frame (0 = centred).
    pub pan_x: f32,
    pub pan_y: f32,
}

impl Default for Look {
    fn default() -> Self {
        Self {
            downscale: 24.0,
            brightness: 0.0,
            contrast: 1.0,
            invert: false,
            flip_h: false,
            flip_v: false,
            zoom: 1.0,
            pan_x: 0.0,
            pan_y: 0.0,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum LookError {
    #[error("downscale factor must be a number ≥ 1, got {0}")]
    Downscale(f32),
    #[error("brightness must be within -1..1, got {0}")]
    Brightness(f32),
    #[error("contrast must be within 0..4, got {0}")]
    Contrast(f32),
    #[error("zoom must be within 1..16, got {0}")]
    Zoom(f32),
    #[error("pan must be within -1..1, got {0}")]
    Pan(f32),
    #[error("the image is empty ({0}×{1})")]
    EmptyImage(u32, u32),
    #[error("the output size must be at least 2 pixels, got {0}")]
    Size(usize),
    #[error("the look does not fit the output buffer at byte {0} (buffer of {1} bytes)")]
    Output(u64, u64),
}

impl Look {
    pub fn validate(&self) -> Result<(), LookError> {
        let within = |v: f32, lo: f32, hi: f32| v.is_finite() && (lo..=hi).contains(&v);
        if !within(self.downscale, 1.0, 4096.0) {
            return Err(LookError::Downscale(self.downscale));
        }
        if !within(self.brightness, -1.0, 1.0) {
            return Err(LookError::Brightness(self.brightness));
        }
        if !within(self.contrast, 0.0, 4.0) {
            return Err(LookError::Contrast(self.contrast));
        }
        if !within(self.zoom, 1.0, 16.0) {
            return Err(LookError::Zoom(self.zoom));
        }
        for pan in [self.pan_x, self.pan_y] {
            if !within(pan, -1.0, 1.0) {
                return Err(LookError::Pan(pan));
            }
        }
        Ok(())
    }

    /// Side of the low-resolution image for an output of `size`.
    pub fn low_size(&self, size: usize) -> usize {
        ((size as f32 / self.downscale + 0.5).floor() as usize).clamp(1, size)
    }

    /// The square of the frame the look uses: `(x0, y0, side)` in pixels.
    pub fn crop(&self, width: u32, height: u32) -> (u32, u32, u32) {
        let side = ((width.min(height) as f32 / self.zoom).floor() as u32).max(1);
        let offset = |extent: u32, pan: f32| {
            let slack = (extent - side) as f32;
            ((slack * (1.0 + pan) / 2.0).floor() as u32).min(extent - side)
        };
        (offset(width, self.pan_x), offset(height, self.pan_y), side)
    }

    /// Grey in [0, 1] after invert, contrast and brightness, clamped.
    pub fn tone(&self, grey: f32) -> f32 {
        let g = if self.invert { 1.0 - grey } else { grey };
        ((g - 0.5) * self.contrast + 0.5 + self.brightness).clamp(0.0, 1.0)
    }
}
