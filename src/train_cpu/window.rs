//! The 4×4, padding-1 convolution window (stride 1 or 2) over a batch of square maps, and the
//! two ways of moving between maps and its columns: im2col gathers each output pixel's
//! receptive field into a column; col2im scatters columns back onto the maps, summing overlaps.
//!
//! Maps are stored channel-major: `[channel][image][row][column]`, so one channel of the whole
//! batch is contiguous (batch norm reads it in one sweep) and a product with `cout` weight rows
//! writes the next layer's maps directly.

use rayon::prelude::*;

use super::simd::widest;

pub const KERNEL: usize = 4;
pub const TAPS: usize = KERNEL * KERNEL;

/// Where a 4×4 window with padding 1 reads, for `batch` maps `side` pixels square.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub stride: usize,
    pub side: usize,
    pub batch: usize,
}

impl Window {
    pub fn new(stride: usize, side: usize, batch: usize) -> Self {
        assert!(stride == 1 || stride == 2, "stride 1 or 2");
        assert!(side >= 2 && (stride == 1 || side.is_multiple_of(2)));
        Self {
            stride,
            side,
            batch,
        }
    }

    pub fn out_side(self) -> usize {
        (self.side + 2 - KERNEL) / self.stride + 1
    }

    /// Values of one channel of the input maps.
    pub fn in_plane(self) -> usize {
        self.batch * self.side * self.side
    }

    /// Columns: one per output pixel of the batch.
    pub fn columns(self) -> usize {
        self.batch * self.out_side() * self.out_side()
    }
}

/// What a layer applies to its input before the window reads it; its derivative gates the
/// gradient on the way back.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    Identity,
    /// LeakyReLU with this negative slope.
    Leaky(f32),
    Relu,
}

impl Activation {
    #[inline]
    pub fn apply(self, x: f32) -> f32 {
        match self {
            Self::Identity => x,
            Self::Leaky(slope) => {
                if x < 0.0 {
                    x * slope
                } else {
                    x
                }
            }
            Self::Relu => x.max(0.0),
        }
    }

    /// `out = activation(x)` for a whole line, branch-free so it vectorises.
    #[inline(always)]
    pub fn apply_line(self, x: &[f32], out: &mut [f32]) {
        match self {
            Self::Identity => out.copy_from_slice(x),
            // max(x, s·x) is LeakyReLU for slopes in [0, 1].
            Self::Leaky(slope) => {
                for (o, &x) in out.iter_mut().zip(x) {
                    *o = x.max(x * slope);
                }
            }
            Self::Relu => {
                for (o, &x) in out.iter_mut().zip(x) {
                    *o = x.max(0.0);
                }
            }
        }
    }

    /// `out += g · activation'(x)` for a whole line, the match hoisted so the loop vectorises.
    #[inline(always)]
    pub fn add_gated(self, g: &[f32], x: &[f32], out: &mut [f32]) {
        match self {
            Self::Identity => out.iter_mut().zip(g).for_each(|(o, &g)| *o += g),
            Self::Leaky(slope) => {
                for ((o, &g), &x) in out.iter_mut().zip(g).zip(x) {
                    *o += g * if x < 0.0 { slope } else { 1.0 };
                }
            }
            Self::Relu => {
                for ((o, &g), &x) in out.iter_mut().zip(g).zip(x) {
                    *o += if x > 0.0 { g } else { 0.0 };
                }
            }
        }
    }

    /// The derivative at `x`, as Burn's autodiff takes it (LeakyReLU: 1 at 0; ReLU: 0 at 0).
    #[inline]
    pub fn derivative(self, x: f32) -> f32 {
        match self {
            Self::Identity => 1.0,
            Self::Leaky(slope) => {
                if x < 0.0 {
                    slope
                } else {
                    1.0
                }
            }
            Self::Relu => {
                if x > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }
}

widest! {
    /// `out = activation(x)`, widened.
    pub fn activate(activation: Activation, x: &[f32], out: &mut [f32]) {
        activation.apply_line(x, out);
    }
}

widest! {
    /// `out += g · activation'(x)`, widened.
    pub fn add_gated(activation: Activation, g: &[f32], x: &[f32], out: &mut [f32]) {
        activation.add_gated(g, x, out);
    }
}

/// `cols[(c, ky, kx)][(n, oy, ox)] = activation(input[c][n][oy·s + ky − 1][ox·s + kx − 1])`,
/// zero outside the maps. `cols` holds `16·channels × window.columns()` values.
pub fn im2col(
    input: &[f32],
    channels: usize,
    window: Window,
    activation: Activation,
    cols: &mut [f32],
) {
    let plane = window.in_plane();
    let columns = window.columns();
    cols[..channels * TAPS * columns]
        .par_chunks_mut(TAPS * columns)
        .zip(input[..channels * plane].par_chunks(plane))
        .for_each(|(rows, maps)| gather_channel(maps, window, activation, rows));
}

widest! {
    /// One channel's 16 rows. Each input line is activated once into a zero-padded copy; for
    /// stride 2 the copy is split into its even and odd pixels, so all four kernel columns are
    /// contiguous copies.
    fn gather_channel(maps: &[f32], window: Window, activation: Activation, rows: &mut [f32]) {
        let Window {
            stride,
            side,
            batch,
        } = window;
        let out_side = window.out_side();
        let columns = window.columns();
        let padded = side + 2;
        let mut line = vec![0.0; padded];
        let half = padded / 2;
        let mut even = vec![0.0; half];
        let mut odd = vec![0.0; half];
        for n in 0..batch {
            let map = &maps[n * side * side..][..side * side];
            for oy in 0..out_side {
                let at = (n * out_side + oy) * out_side;
                for ky in 0..KERNEL {
                    let iy = (oy * stride + ky).wrapping_sub(1);
                    if iy >= side {
                        for kx in 0..KERNEL {
                            rows[(ky * KERNEL + kx) * columns + at..][..out_side].fill(0.0);
                        }
                        continue;
                    }
                    activation.apply_line(&map[iy * side..][..side], &mut line[1..=side]);
                    if stride == 1 {
                        for kx in 0..KERNEL {
                            rows[(ky * KERNEL + kx) * columns + at..][..out_side]
                                .copy_from_slice(&line[kx..kx + out_side]);
                        }
                    } else {
                        for ((pair, e), o) in line.chunks_exact(2).zip(&mut even).zip(&mut odd) {
                            *e = pair[0];
                            *o = pair[1];
                        }
                        // Padded column 2·ox + kx: even[ox], odd[ox], even[ox + 1], odd[ox + 1].
                        let sources = [
                            &even[..out_side],
                            &odd[..out_side],
                            &even[1..=out_side],
                            &odd[1..=out_side],
                        ];
                        for (kx, source) in sources.iter().enumerate() {
                            rows[(ky * KERNEL + kx) * columns + at..][..out_side]
                                .copy_from_slice(source);
                        }
                    }
                }
            }
        }
    }
}

/// What col2im does with each channel's summed columns.
#[derive(Clone, Copy)]
pub enum Scatter<'a> {
    /// `out = sums + bias[channel]` (zero without a bias): a transposed convolution's output.
    Write { bias: Option<&'a [f32]> },
    /// `out += sums · activation'(pre)`: a convolution's gradient, passed back through the
    /// activation its input went through (`pre` is that input, before the activation).
    Gradient {
        pre: &'a [f32],
        activation: Activation,
    },
}

/// The adjoint of [`im2col`]: sums every column value into the map pixel it was gathered from,
/// then combines the sums into `out` (`channels × window.in_plane()`) as `scatter` says.
pub fn col2im(cols: &[f32], channels: usize, window: Window, out: &mut [f32], scatter: Scatter) {
    let plane = window.in_plane();
    let columns = window.columns();
    out[..channels * plane]
        .par_chunks_mut(plane)
        .zip(cols[..channels * TAPS * columns].par_chunks(TAPS * columns))
        .enumerate()
        .for_each(|(channel, (maps, rows))| {
            scatter_channel(rows, window, channel, maps, scatter);
        });
}

widest! {
    /// One channel's columns summed back onto its maps.
    fn scatter_channel(
        rows: &[f32],
        window: Window,
        channel: usize,
        maps: &mut [f32],
        scatter: Scatter,
    ) {
        let Window {
            stride,
            side,
            batch,
        } = window;
        let out_side = window.out_side();
        let columns = window.columns();
        let padded = side + 2;
        let mut sums = vec![0.0f32; padded * padded];
        // Stride 2: each padded line's even and odd pixels summed apart (contiguous adds), then
        // interleaved.
        let half = padded / 2;
        let mut even = vec![0.0f32; padded * half];
        let mut odd = vec![0.0f32; padded * half];
        for n in 0..batch {
            if stride == 1 {
                sums.fill(0.0);
            } else {
                even.fill(0.0);
                odd.fill(0.0);
            }
            for oy in 0..out_side {
                let at = (n * out_side + oy) * out_side;
                for ky in 0..KERNEL {
                    let py = oy * stride + ky;
                    for kx in 0..KERNEL {
                        let values = &rows[(ky * KERNEL + kx) * columns + at..][..out_side];
                        let line = if stride == 1 {
                            &mut sums[py * padded + kx..][..out_side]
                        } else {
                            // Padded column 2·ox + kx: even[ox + kx/2] or odd[ox + kx/2].
                            let split = if kx % 2 == 0 { &mut even } else { &mut odd };
                            &mut split[py * half + kx / 2..][..out_side]
                        };
                        for (s, &v) in line.iter_mut().zip(values) {
                            *s += v;
                        }
                    }
                }
            }
            if stride == 2 {
                for ((line, e), o) in sums
                    .chunks_exact_mut(padded)
                    .zip(even.chunks_exact(half))
                    .zip(odd.chunks_exact(half))
                {
                    for ((pair, &e), &o) in line.chunks_exact_mut(2).zip(e).zip(o) {
                        pair[0] = e;
                        pair[1] = o;
                    }
                }
            }
            let map = &mut maps[n * side * side..][..side * side];
            for (iy, out) in map.chunks_exact_mut(side).enumerate() {
                let summed = &sums[(iy + 1) * padded + 1..][..side];
                match scatter {
                    Scatter::Write { bias } => {
                        let b = bias.map_or(0.0, |b| b[channel]);
                        for (o, &s) in out.iter_mut().zip(summed) {
                            *o = s + b;
                        }
                    }
                    Scatter::Gradient { pre, activation } => {
                        let start = channel * window.in_plane() + (n * side + iy) * side;
                        activation.add_gated(summed, &pre[start..][..side], out);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(len: usize, seed: f32) -> Vec<f32> {
        (0..len)
            .map(|i| ((i as f32 + seed) * 0.731).sin())
            .collect()
    }

    /// The textbook definition, one value at a time.
    fn naive_im2col(input: &[f32], channels: usize, w: Window, act: Activation) -> Vec<f32> {
        let os = w.out_side();
        let mut cols = vec![0.0; channels * TAPS * w.columns()];
        for c in 0..channels {
            for ky in 0..KERNEL {
                for kx in 0..KERNEL {
                    for n in 0..w.batch {
                        for oy in 0..os {
                            for ox in 0..os {
                                let iy = (oy * w.stride + ky) as isize - 1;
                                let ix = (ox * w.stride + kx) as isize - 1;
                                let inside = (0..w.side as isize).contains(&iy)
                                    && (0..w.side as isize).contains(&ix);
                                let v = if inside {
                                    let at = c * w.in_plane()
                                        + (n * w.side + iy as usize) * w.side
                                        + ix as usize;
                                    act.apply(input[at])
                                } else {
                                    0.0
                                };
                                let row = (c * KERNEL + ky) * KERNEL + kx;
                                cols[row * w.columns() + (n * os + oy) * os + ox] = v;
                            }
                        }
                    }
                }
            }
        }
        cols
    }

    #[test]
    fn im2col_matches_the_definition_for_both_strides() {
        for (stride, side) in [(2, 8), (1, 7), (1, 6), (2, 4)] {
            let w = Window::new(stride, side, 3);
            let channels = 2;
            let input = values(channels * w.in_plane(), 1.0);
            let act = Activation::Leaky(0.2);
            let mut cols = vec![f32::NAN; channels * TAPS * w.columns()];
            im2col(&input, channels, w, act, &mut cols);
            assert_eq!(
                cols,
                naive_im2col(&input, channels, w, act),
                "stride {stride}"
            );
        }
    }

    /// col2im is im2col's adjoint: <im2col(x), y> = <x, col2im(y)> for any x, y.
    #[test]
    fn col2im_is_the_adjoint_of_im2col() {
        for (stride, side) in [(2, 8), (1, 7), (2, 6)] {
            let w = Window::new(stride, side, 2);
            let channels = 3;
            let x = values(channels * w.in_plane(), 2.0);
            let y = values(channels * TAPS * w.columns(), 5.0);
            let mut cols = vec![0.0; y.len()];
            im2col(&x, channels, w, Activation::Identity, &mut cols);
            let lhs: f64 = cols.iter().zip(&y).map(|(a, b)| (a * b) as f64).sum();
            let mut back = vec![0.0; x.len()];
            col2im(&y, channels, w, &mut back, Scatter::Write { bias: None });
            let rhs: f64 = back.iter().zip(&x).map(|(a, b)| (a * b) as f64).sum();
            assert!(
                (lhs - rhs).abs() < 1e-3 * lhs.abs().max(1.0),
                "{lhs} vs {rhs}"
            );
        }
    }

    #[test]
    fn gradient_scatter_gates_by_the_activation_and_accumulates() {
        let w = Window::new(2, 4, 1);
        let y = values(TAPS * w.columns(), 3.0);
        let pre = values(w.in_plane(), 9.0);
        let mut plain = vec![0.0; w.in_plane()];
        col2im(&y, 1, w, &mut plain, Scatter::Write { bias: None });
        let mut gated = vec![1.0; w.in_plane()];
        let activation = Activation::Leaky(0.2);
        col2im(
            &y,
            1,
            w,
            &mut gated,
            Scatter::Gradient {
                pre: &pre,
                activation,
            },
        );
        for ((g, p), x) in gated.iter().zip(&plain).zip(&pre) {
            let want = 1.0 + p * if *x < 0.0 { 0.2 } else { 1.0 };
            assert!((g - want).abs() < 1e-6);
        }
    }
}
