//! The U-Net generator's inference on the CPU, written for speed: batch norm folded into the
//! convolutions; activations applied while a layer gathers its input or writes its output;
//! convolutions as im2col and one matrix product, in cache-sized bands per thread where the
//! weights are small; transposed convolutions as one product then col2im (no zero-stuffing);
//! the deepest levels, where the weights outweigh the work, on a kernel that streams them once;
//! every buffer kept from frame to frame. Same numbers as [`crate::model::unet::Unet`] in eval
//! mode.

mod down;
mod finish;
mod from_burn;
mod gemm;
mod narrow;
mod up;

use std::sync::Mutex;

use anyhow::{bail, Result};

pub use down::Down;
pub use finish::Finish;
pub use up::Up;

const KERNEL: usize = 4;
const TAPS: usize = KERNEL * KERNEL;

/// A U-Net ready for frames: `downs[i]` and `ups[i]` are level `i`, outermost first.
pub struct UnetCpu {
    downs: Vec<Down>,
    ups: Vec<Up>,
    buffers: Mutex<Buffers>,
}

/// Per-level feature maps (the encoder's output, then the decoder's beside it: the skip
/// concatenation is free), the scratch matrix and the picture, sized for the last frame.
#[derive(Default)]
struct Buffers {
    size: usize,
    features: Vec<Vec<f32>>,
    scratch: Vec<f32>,
    picture: Vec<f32>,
}

impl UnetCpu {
    /// Levels outermost first. Ups whose output only the next up reads get `relu_output`.
    pub fn new(downs: Vec<Down>, mut ups: Vec<Up>) -> Self {
        assert_eq!(downs.len(), ups.len(), "one up per down");
        for up in ups.iter_mut().skip(1) {
            up.relu_output = up.finish == Finish::None;
        }
        Self {
            downs,
            ups,
            buffers: Mutex::default(),
        }
    }

    pub fn input_channels(&self) -> usize {
        self.downs[0].channels[0]
    }

    pub fn output_channels(&self) -> usize {
        self.ups[0].channels[1]
    }

    /// Sizes this network takes: multiples of 2^levels.
    pub fn granularity(&self) -> usize {
        1 << self.downs.len()
    }

    /// `input_channels × size²` floats → `output_channels × size²`.
    pub fn run(&self, input: &[f32], size: usize) -> Result<Vec<f32>> {
        let mut buffers = self.buffers.lock().unwrap_or_else(|e| e.into_inner());
        // On one of rayon's threads, so that the layers' parallel steps start without waking
        // this one.
        let buffers = &mut *buffers;
        rayon::scope(|_| self.forward(input, size, buffers))?;
        Ok(buffers.picture.clone())
    }

    fn forward(&self, input: &[f32], size: usize, buffers: &mut Buffers) -> Result<()> {
        if size == 0 || !size.is_multiple_of(self.granularity()) {
            bail!(
                "this model needs sizes that are multiples of {}, got {size}",
                self.granularity()
            );
        }
        if input.len() != self.input_channels() * size * size {
            bail!(
                "input has {} values, the model takes {} × {size}²",
                input.len(),
                self.input_channels()
            );
        }
        self.allocate(size, buffers);
        let Buffers {
            features,
            scratch,
            picture,
            ..
        } = buffers;
        let mut side = size;
        for (level, down) in self.downs.iter().enumerate() {
            let (before, rest) = features.split_at_mut(level);
            let source = match before.last() {
                Some(skip) => &skip[..],
                None => input,
            };
            down.forward(source, side, &mut rest[0], scratch);
            side /= 2;
        }
        for (level, up) in self.ups.iter().enumerate().rev() {
            let (before, rest) = features.split_at_mut(level);
            let target = match before.last_mut() {
                Some(outer) => &mut outer[up.channels[1] * 4 * side * side..],
                None => &mut picture[..],
            };
            let input = &mut rest[0];
            let unrectified = match self.ups.get(level + 1) {
                Some(inner) if inner.relu_output => self.downs[level].channels[1] * side * side,
                _ => input.len(),
            };
            up.forward(input, unrectified, side, target, scratch);
            side *= 2;
        }
        Ok(())
    }

    fn allocate(&self, size: usize, buffers: &mut Buffers) {
        if buffers.size == size {
            return;
        }
        let mut scratch = 0;
        let mut features = Vec::new();
        let mut side = size;
        for (down, up) in self.downs.iter().zip(&self.ups) {
            scratch = scratch.max(down.scratch(side));
            side /= 2;
            scratch = scratch.max(up.scratch(side));
            features.push(vec![0.0; up.channels[0] * side * side]);
        }
        *buffers = Buffers {
            size,
            features,
            scratch: vec![0.0; scratch],
            picture: vec![0.0; self.output_channels() * size * size],
        };
    }
}
