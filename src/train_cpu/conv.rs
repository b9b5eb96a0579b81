//! Conv2d(cin → cout, 4×4, padding 1, stride 1 or 2): forward as im2col and one product;
//! backward as the weight gradient `g · colsᵀ` and the data gradient `Wᵀ · g` scattered back by
//! col2im, through the activation the input went through.

use rayon::prelude::*;

use super::conv_taps;
use super::param::Param;
use super::product::{add_product_nt, product, View};
use super::simd::{sum_f64, widest};
use super::window::{col2im, im2col, Activation, Scatter, Window, TAPS};

#[derive(Clone, Debug)]
pub struct Conv {
    pub cin: usize,
    pub cout: usize,
    pub stride: usize,
    /// `[cout][cin][4][4]` (PyTorch's layout): a `cout × 16·cin` matrix.
    pub weight: Param,
    pub bias: Option<Param>,
}

/// Where a data gradient goes: added into `grad` (the layer's input channels from
/// `from_channel` on), through `activation` evaluated at the layer's input.
pub struct InputGrad<'a> {
    pub grad: &'a mut [f32],
    pub from_channel: usize,
}

/// A buffer at least `len` long (grown when needed, never shrunk).
pub fn sized(buffer: &mut Vec<f32>, len: usize) -> &mut [f32] {
    if buffer.len() < len {
        buffer.resize(len, 0.0);
    }
    &mut buffer[..len]
}

impl Conv {
    pub fn window(&self, side: usize, batch: usize) -> Window {
        Window::new(self.stride, side, batch)
    }

    pub fn params_mut(&mut self) -> Vec<&mut Param> {
        std::iter::once(&mut self.weight)
            .chain(self.bias.as_mut())
            .collect()
    }

    /// `out[cout × columns] = W · im2col(activation(input)) + bias`.
    pub fn forward(
        &self,
        input: &[f32],
        window: Window,
        activation: Activation,
        cols: &mut Vec<f32>,
        out: &mut [f32],
    ) {
        if self.cout == 1 {
            let bias = self.bias.as_ref().map(|b| b.value[0]);
            let weight = &self.weight.value;
            return conv_taps::forward(
                weight, bias, input, self.cin, window, activation, cols, out,
            );
        }
        let depth = self.cin * TAPS;
        let columns = window.columns();
        let cols = sized(cols, depth * columns);
        im2col(input, self.cin, window, activation, cols);
        let out = &mut out[..self.cout * columns];
        product(
            out,
            View::new(&self.weight.value, self.cout, depth),
            View::new(cols, depth, columns),
            false,
        );
        if let Some(bias) = &self.bias {
            out.par_chunks_mut(columns)
                .zip(&bias.value)
                .for_each(|(row, &b)| add_to_each(row, b));
        }
    }

    /// From `g_out` (`cout × columns`, the gradient at this layer's output): adds the weight and
    /// bias gradients when `params`, and the input gradient when `input_grad` is given.
    #[allow(clippy::too_many_arguments)]
    pub fn backward(
        &mut self,
        input: &[f32],
        window: Window,
        activation: Activation,
        g_out: &[f32],
        params: bool,
        input_grad: Option<InputGrad>,
        cols: &mut Vec<f32>,
    ) {
        if self.cout == 1 {
            // The data gradient of the first channels is never asked of a 1-channel conv.
            let grad = input_grad.map(|InputGrad { grad, from_channel }| {
                assert_eq!(from_channel, 0, "every channel's gradient");
                grad
            });
            return conv_taps::backward(
                &self.weight.value,
                &mut self.weight.grad,
                self.bias.as_mut().map(|b| &mut b.grad[0]),
                input,
                self.cin,
                window,
                activation,
                g_out,
                params,
                grad,
                cols,
            );
        }
        let depth = self.cin * TAPS;
        let columns = window.columns();
        let g_out = &g_out[..self.cout * columns];
        if params {
            let cols = sized(cols, depth * columns);
            im2col(input, self.cin, window, activation, cols);
            add_product_nt(
                &mut self.weight.grad,
                g_out,
                cols,
                [self.cout, depth, columns],
            );
            if let Some(bias) = &mut self.bias {
                add_row_sums(&mut bias.grad, g_out, columns);
            }
        }
        if let Some(InputGrad { grad, from_channel }) = input_grad {
            let channels = self.cin - from_channel;
            let rows = channels * TAPS;
            let cols = sized(cols, rows * columns);
            let g_out = View::new(g_out, self.cout, columns);
            if from_channel == 0 {
                let weight = View::new(&self.weight.value, self.cout, depth);
                product(cols, weight.t(), g_out, false);
            } else {
                // Only the wanted channels' columns of W (a small copy: the discriminator's
                // grey input channel needs no gradient).
                let mut part = vec![0.0; self.cout * rows];
                for (dst, src) in part
                    .chunks_exact_mut(rows)
                    .zip(self.weight.value.chunks_exact(depth))
                {
                    dst.copy_from_slice(&src[depth - rows..]);
                }
                product(cols, View::new(&part, self.cout, rows).t(), g_out, false);
            }
            let plane = window.in_plane();
            col2im(
                cols,
                channels,
                window,
                &mut grad[from_channel * plane..],
                Scatter::Gradient {
                    pre: &input[from_channel * plane..],
                    activation,
                },
            );
        }
    }
}

/// `sums[i] += Σ row i` of a matrix with `columns` values per row.
pub fn add_row_sums(sums: &mut [f32], matrix: &[f32], columns: usize) {
    let totals: Vec<f64> = matrix[..sums.len() * columns]
        .par_chunks(columns)
        .map(row_sum)
        .collect();
    for (s, t) in sums.iter_mut().zip(totals) {
        *s += t as f32;
    }
}

widest! {
    fn add_to_each(values: &mut [f32], b: f32) {
        values.iter_mut().for_each(|v| *v += b);
    }
}

widest! {
    fn row_sum(row: &[f32]) -> f64 {
        sum_f64(row, f64::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(len: usize, seed: usize) -> Vec<f32> {
        (0..len)
            .map(|i| (((i * 7 + seed * 13) % 23) as f32 * 0.29).sin())
            .collect()
    }

    fn conv(cin: usize, cout: usize, stride: usize) -> Conv {
        Conv {
            cin,
            cout,
            stride,
            weight: Param::new(values(cout * cin * TAPS, 1)),
            bias: Some(Param::new(values(cout, 2))),
        }
    }

    /// Σ out·w for fixed w: its gradients by finite differences against `backward`, for the
    /// im2col path and the one-output-channel (taps) path, both strides, through LeakyReLU.
    #[test]
    fn backward_matches_finite_differences() {
        for (cout, stride, side) in [(3, 2, 6), (1, 1, 5), (1, 2, 6), (2, 1, 4)] {
            let cin = 2;
            let window = Window::new(stride, side, 2);
            let activation = Activation::Leaky(0.2);
            let input = values(cin * window.in_plane(), 3);
            let weights_out = values(cout * window.columns(), 4);
            let loss = |layer: &Conv, input: &[f32]| -> f64 {
                let mut out = vec![0.0; cout * window.columns()];
                layer.forward(input, window, activation, &mut Vec::new(), &mut out);
                out.iter()
                    .zip(&weights_out)
                    .map(|(o, w)| f64::from(o * w))
                    .sum()
            };
            let mut layer = conv(cin, cout, stride);
            let mut grad = vec![0.0; input.len()];
            let input_grad = InputGrad {
                grad: &mut grad,
                from_channel: 0,
            };
            let g_out = weights_out.clone();
            layer.backward(
                &input,
                window,
                activation,
                &g_out,
                true,
                Some(input_grad),
                &mut Vec::new(),
            );
            let h = 1e-2;
            for i in (0..input.len()).step_by(5) {
                // Away from LeakyReLU's kink, where the difference quotient is not the slope.
                if input[i].abs() < 2.0 * h {
                    continue;
                }
                let (mut plus, mut minus) = (input.clone(), input.clone());
                plus[i] += h;
                minus[i] -= h;
                let numeric = (loss(&layer, &plus) - loss(&layer, &minus)) / (2.0 * f64::from(h));
                assert!(
                    (f64::from(grad[i]) - numeric).abs() < 1e-2,
                    "input {i}: {} vs {numeric}",
                    grad[i]
                );
            }
            for i in (0..layer.weight.value.len()).step_by(3) {
                let (mut plus, mut minus) = (layer.clone(), layer.clone());
                plus.weight.value[i] += h;
                minus.weight.value[i] -= h;
                let numeric = (loss(&plus, &input) - loss(&minus, &input)) / (2.0 * f64::from(h));
                let analytic = f64::from(layer.weight.grad[i]);
                assert!(
                    (analytic - numeric).abs() < 1e-2,
                    "weight {i}: {analytic} vs {numeric}"
                );
            }
            let bias_sums: Vec<f32> = g_out
                .chunks(window.columns())
                .map(|g| g.iter().sum())
                .collect();
            for (got, want) in layer.bias.as_ref().unwrap().grad.iter().zip(bias_sums) {
                assert!((got - want).abs() < 1e-4);
            }
        }
    }
}
