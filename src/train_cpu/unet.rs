//! The pix2pix U-Net in training mode: a forward pass that keeps what the backward pass needs,
//! and that backward pass. Same layers and numbers as [`crate::model::unet::Unet`] under Burn's
//! autodiff (batch statistics, dropout on).

use rand::rngs::StdRng;
use rand::Rng;
use rayon::prelude::*;

use super::conv::{sized, Conv, InputGrad};
use super::conv_transpose::ConvTranspose;
use super::norm::{Layout, Norm, NormStats};
use super::param::Param;
use super::simd::widest;
use super::window::Activation;

const LEAKY: Activation = Activation::Leaky(0.2);
const DROPOUT: f64 = 0.5;

/// One level, outermost first: its stride-2 convolution down and transposed convolution up.
#[derive(Clone, Debug)]
pub struct Level {
    pub down: Conv,
    pub down_norm: Option<Norm>,
    pub up: ConvTranspose,
    pub up_norm: Option<Norm>,
    pub dropout: bool,
}

#[derive(Clone, Debug)]
pub struct UnetTrainer {
    pub levels: Vec<Level>,
}

/// Everything one forward pass leaves for the backward pass, and the gradients' buffers; kept
/// from step to step.
#[derive(Default)]
pub struct UnetPass {
    batch: usize,
    size: usize,
    input: Vec<f32>,
    /// Each level's convolution output before its norm (levels with a norm only).
    down_z: Vec<Vec<f32>>,
    down_stats: Vec<NormStats>,
    /// Level i's decoder input: its encoder output, then (but innermost) the level below's
    /// decoder output. The skip concatenation costs nothing.
    cat: Vec<Vec<f32>>,
    /// ReLU of `cat`: what the transposed convolution reads.
    rectified: Vec<Vec<f32>>,
    up_z: Vec<Vec<f32>>,
    up_stats: Vec<NormStats>,
    /// 0 or 1/(1 − p) per value, for levels with dropout.
    masks: Vec<Vec<f32>>,
    /// The output picture, `[channels][image][row][column]`.
    pub picture: Vec<f32>,
    g_cat: Vec<Vec<f32>>,
    g_z: Vec<f32>,
    g_dropped: Vec<f32>,
    scratch: Vec<f32>,
}

impl UnetTrainer {
    pub fn input_channels(&self) -> usize {
        self.levels[0].down.cin
    }

    pub fn output_channels(&self) -> usize {
        self.levels[0].up.cout
    }

    pub fn params_mut(&mut self) -> Vec<&mut Param> {
        let mut params = Vec::new();
        for level in &mut self.levels {
            params.extend(level.down.params_mut());
            if let Some(norm) = &mut level.down_norm {
                params.extend(norm.params_mut());
            }
            params.extend(level.up.params_mut());
            if let Some(norm) = &mut level.up_norm {
                params.extend(norm.params_mut());
            }
        }
        params
    }

    /// Side of level `i`'s encoder output.
    fn side(&self, size: usize, level: usize) -> usize {
        size >> (level + 1)
    }

    fn allocate(&self, pass: &mut UnetPass, batch: usize, size: usize) {
        if pass.batch == batch && pass.size == size {
            return;
        }
        let levels = self.levels.len();
        let zeros = |len: usize| vec![0.0f32; len];
        let area = |level: usize| batch * self.side(size, level).pow(2);
        *pass = UnetPass {
            batch,
            size,
            input: zeros(self.input_channels() * batch * size * size),
            down_z: (0..levels)
                .map(|i| {
                    zeros(
                        self.levels[i].down_norm.as_ref().map_or(0, |_| 1)
                            * self.levels[i].down.cout
                            * area(i),
                    )
                })
                .collect(),
            down_stats: vec![NormStats::default(); levels],
            cat: (0..levels)
                .map(|i| zeros(self.levels[i].up.cin * area(i)))
                .collect(),
            rectified: (0..levels)
                .map(|i| zeros(self.levels[i].up.cin * area(i)))
                .collect(),
            up_z: (0..levels)
                .map(|i| zeros(self.levels[i].up.cout * 4 * area(i)))
                .collect(),
            up_stats: vec![NormStats::default(); levels],
            masks: (0..levels)
                .map(|i| {
                    zeros(
                        usize::from(self.levels[i].dropout) * self.levels[i].up.cout * 4 * area(i),
                    )
                })
                .collect(),
            picture: zeros(self.output_channels() * batch * size * size),
            g_cat: (0..levels)
                .map(|i| zeros(self.levels[i].up.cin * area(i)))
                .collect(),
            g_z: Vec::new(),
            g_dropped: Vec::new(),
            scratch: Vec::new(),
        };
    }

    /// `input`: `[channels][image][row][column]`, `batch` images `size` square. Leaves the
    /// picture in `pass.picture`.
    pub fn forward(
        &mut self,
        pass: &mut UnetPass,
        input: &[f32],
        batch: usize,
        size: usize,
        rng: &mut StdRng,
    ) {
        self.allocate(pass, batch, size);
        let len = pass.input.len();
        pass.input.copy_from_slice(&input[..len]);
        for (i, level) in self.levels.iter_mut().enumerate() {
            let side_in = size >> i;
            let window = level.down.window(side_in, batch);
            let (before, rest) = pass.cat.split_at_mut(i);
            let (source, activation) = match before.last() {
                Some(outer) => (&outer[..], LEAKY),
                None => (&pass.input[..], Activation::Identity),
            };
            let out_len = level.down.cout * window.columns();
            let skip = &mut rest[0][..out_len];
            match &mut level.down_norm {
                Some(norm) => {
                    let z = &mut pass.down_z[i];
                    level
                        .down
                        .forward(source, window, activation, &mut pass.scratch, z);
                    let layout = Layout {
                        channels: level.down.cout,
                        batch,
                        area: window.out_side().pow(2),
                    };
                    norm.forward(z, layout, skip, &mut pass.down_stats[i]);
                }
                None => level
                    .down
                    .forward(source, window, activation, &mut pass.scratch, skip),
            }
        }
        for i in (0..self.levels.len()).rev() {
            let side = self.side(size, i);
            let level = &mut self.levels[i];
            level.up.tie();
            let rectified = &mut pass.rectified[i];
            rectified
                .par_chunks_mut(CHUNK)
                .zip(pass.cat[i].par_chunks(CHUNK))
                .for_each(|(r, c)| rectify(c, r));
            let out_len = level.up.cout * batch * (2 * side).pow(2);
            let Some(norm) = &mut level.up_norm else {
                let picture = &mut pass.picture[..out_len];
                level
                    .up
                    .forward(rectified, side, batch, &mut pass.scratch, picture);
                picture
                    .par_chunks_mut(CHUNK)
                    .for_each(|p| p.iter_mut().for_each(|v| *v = v.tanh()));
                continue;
            };
            let z = &mut pass.up_z[i];
            level
                .up
                .forward(rectified, side, batch, &mut pass.scratch, z);
            let outer = &mut pass.cat[i - 1];
            let start = outer.len() - out_len;
            let target = &mut outer[start..];
            let layout = Layout {
                channels: level.up.cout,
                batch,
                area: (2 * side).pow(2),
            };
            norm.forward(z, layout, target, &mut pass.up_stats[i]);
            if level.dropout {
                let mask = &mut pass.masks[i];
                let keep = 1.0 / (1.0 - DROPOUT) as f32;
                for m in mask.iter_mut() {
                    *m = if rng.random_bool(1.0 - DROPOUT) {
                        keep
                    } else {
                        0.0
                    };
                }
                target
                    .iter_mut()
                    .zip(mask.iter())
                    .for_each(|(v, m)| *v *= m);
            }
        }
    }

    /// Adds every parameter's gradient, given `g_picture` = d(loss)/d(picture) for the last
    /// forward pass.
    pub fn backward(&mut self, pass: &mut UnetPass, g_picture: &[f32]) {
        let (batch, size) = (pass.batch, pass.size);
        let levels = self.levels.len();
        for i in 0..levels {
            let side = self.side(size, i);
            let level = &mut self.levels[i];
            let out_len = level.up.cout * batch * (2 * side).pow(2);
            let g_z = sized(&mut pass.g_z, out_len);
            match &mut level.up_norm {
                None => {
                    // The picture is tanh(z).
                    g_z.par_chunks_mut(CHUNK)
                        .zip(g_picture[..out_len].par_chunks(CHUNK))
                        .zip(pass.picture.par_chunks(CHUNK))
                        .for_each(|((g_z, g), y)| through_tanh(g, y, g_z));
                }
                Some(norm) => {
                    let outer = &pass.g_cat[i - 1];
                    let mut g_y = &outer[outer.len() - out_len..];
                    if level.dropout {
                        let dropped = sized(&mut pass.g_dropped, out_len);
                        for ((d, &g), &m) in dropped.iter_mut().zip(g_y).zip(&pass.masks[i]) {
                            *d = g * m;
                        }
                        g_y = dropped;
                    }
                    let layout = Layout {
                        channels: level.up.cout,
                        batch,
                        area: (2 * side).pow(2),
                    };
                    norm.backward(&pass.up_z[i], layout, &pass.up_stats[i], g_y, g_z);
                }
            }
            let rectified = &pass.rectified[i];
            let g_cat = &mut pass.g_cat[i];
            level
                .up
                .backward(rectified, side, batch, g_z, Some(g_cat), &mut pass.scratch);
            g_cat
                .par_chunks_mut(CHUNK)
                .zip(rectified.par_chunks(CHUNK))
                .for_each(|(g, r)| gate_by_rectified(r, g));
        }
        for i in (0..levels).rev() {
            let level = &mut self.levels[i];
            let side_in = size >> i;
            let window = level.down.window(side_in, batch);
            let out_len = level.down.cout * window.columns();
            let (before, rest) = pass.g_cat.split_at_mut(i);
            let g_skip = &rest[0][..out_len];
            let g_z: &[f32] = match &mut level.down_norm {
                Some(norm) => {
                    let g_z = sized(&mut pass.g_z, out_len);
                    let layout = Layout {
                        channels: level.down.cout,
                        batch,
                        area: window.out_side().pow(2),
                    };
                    norm.backward(&pass.down_z[i], layout, &pass.down_stats[i], g_skip, g_z);
                    g_z
                }
                None => g_skip,
            };
            let (source, activation, input_grad) = match before.last_mut() {
                Some(g_outer) => (
                    &pass.cat[i - 1][..],
                    LEAKY,
                    Some(InputGrad {
                        grad: g_outer,
                        from_channel: 0,
                    }),
                ),
                None => (&pass.input[..], Activation::Identity, None),
            };
            level.down.backward(
                source,
                window,
                activation,
                g_z,
                true,
                input_grad,
                &mut pass.scratch,
            );
        }
    }
}

const CHUNK: usize = 16 * 1024;

widest! {
    /// `out = max(x, 0)`.
    fn rectify(x: &[f32], out: &mut [f32]) {
        for (o, &x) in out.iter_mut().zip(x) {
            *o = x.max(0.0);
        }
    }
}

widest! {
    /// `g_z = g · (1 − y²)`, the gradient through `y = tanh(z)`.
    fn through_tanh(g: &[f32], y: &[f32], g_z: &mut [f32]) {
        for ((o, &g), &y) in g_z.iter_mut().zip(g).zip(y) {
            *o = g * (1.0 - y * y);
        }
    }
}

widest! {
    /// Zeroes the gradient where the ReLU's output was zero.
    fn gate_by_rectified(rectified: &[f32], g: &mut [f32]) {
        for (g, &r) in g.iter_mut().zip(rectified) {
            if r <= 0.0 {
                *g = 0.0;
            }
        }
    }
}
