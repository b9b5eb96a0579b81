//! ConvTranspose2d(cin → cout, 4×4, stride 2, padding 1) for inference: one product gives
//! every tap's contribution, then the taps are summed into place (col2im). No zero-stuffing.

use rayon::prelude::*;

use super::finish::{finish, tanh, Finish};
use super::gemm::matmul;
use super::narrow::matmul_narrow;
use super::{KERNEL, TAPS};

/// One decoder level, reading its input through ReLU.
pub struct Up {
    pub channels: [usize; 2],
    /// `[cout][4][4][cin]`: a `16·cout × cin` matrix (PyTorch and Burn store its transpose).
    /// One product gives every tap's contribution; col2im sums them into place.
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
    pub finish: Finish,
    /// Apply ReLU to the output as it is written: set when the only reader is the next level
    /// up, which would apply it anyway.
    pub relu_output: bool,
}

impl Up {
    pub fn scratch(&self, side: usize) -> usize {
        let area = side * side;
        (self.channels[1] * TAPS + self.channels[0]) * area
    }

    /// `input`: `cin × side²`, of which the first `unrectified` floats are made non-negative
    /// (ReLU) in place (the rest already are); `output`: `cout × (2·side)²`.
    pub fn forward(
        &self,
        input: &mut [f32],
        unrectified: usize,
        side: usize,
        output: &mut [f32],
        scratch: &mut [f32],
    ) {
        let [cin, cout] = self.channels;
        let area = side * side;
        let input = &mut input[..cin * area];
        input[..unrectified]
            .par_chunks_mut(16 * 1024)
            .for_each(|chunk| chunk.iter_mut().for_each(|v| *v = v.max(0.0)));
        let shape = [cout * TAPS, cin, area];
        let (taps, rest) = scratch.split_at_mut(cout * TAPS * area);
        if !matmul_narrow(taps, &self.weight, input, None, shape, rest) {
            matmul(taps, &self.weight, input, shape);
        }
        let activation = match (self.finish, self.relu_output) {
            (Finish::Tanh, _) => Activation::Tanh,
            (_, true) => Activation::Relu,
            _ => Activation::None,
        };
        let out_area = 4 * area;
        let output = &mut output[..cout * out_area];
        output
            .par_chunks_mut(out_area)
            .zip(taps.par_chunks(TAPS * area))
            .zip(self.bias.par_iter())
            .for_each(|((plane, taps), &bias)| col2im(taps, side, bias, activation, plane));
        finish(output, out_area, None, self.finish.instance_norm());
    }
}

/// Applied to each output row once its taps are summed.
#[derive(Clone, Copy)]
enum Activation {
    None,
    Relu,
    Tanh,
}

/// Sums one output channel's taps into place, starting from its bias, then applies
/// `activation`. Output row oy = 2·iy − 1 + ky, so even rows take ky 1 (iy = oy/2) and 3 (iy = oy/2 − 1), odd rows ky 2
/// (iy = (oy−1)/2) and 0 (iy = (oy+1)/2); columns likewise.
fn col2im(taps: &[f32], side: usize, bias: f32, activation: Activation, plane: &mut [f32]) {
    let area = side * side;
    let tap_row =
        |ky: usize, kx: usize, iy: usize| &taps[(ky * KERNEL + kx) * area + iy * side..][..side];
    plane
        .par_chunks_mut(2 * side)
        .enumerate()
        .for_each(|(oy, row)| {
            row.fill(bias);
            let half = oy / 2;
            let (near, far) = if oy % 2 == 0 {
                ((1, half), half.checked_sub(1).map(|iy| (3, iy)))
            } else {
                ((2, half), Some((0, half + 1)).filter(|&(_, iy)| iy < side))
            };
            for (ky, iy) in std::iter::once(near).chain(far) {
                let [t0, t1, t2, t3] = std::array::from_fn(|kx| tap_row(ky, kx, iy));
                add_row(row, [t0, t1, t2, t3]);
            }
            match activation {
                Activation::None => {}
                Activation::Relu => row.iter_mut().for_each(|v| *v = v.max(0.0)),
                Activation::Tanh => row.iter_mut().for_each(|v| *v = tanh(*v)),
            }
        });
}

/// One input row's four column taps into an output row: out[2m] += t1[m] + t3[m−1],
/// out[2m+1] += t2[m] + t0[m+1].
fn add_row(row: &mut [f32], [t0, t1, t2, t3]: [&[f32]; 4]) {
    let side = t0.len();
    for (m, pair) in row.chunks_exact_mut(2).enumerate() {
        let even = t1[m] + if m > 0 { t3[m - 1] } else { 0.0 };
        let odd = t2[m] + if m + 1 < side { t0[m + 1] } else { 0.0 };
        pair[0] += even;
        pair[1] += odd;
    }
}
