//! ConvTranspose2d(cin → cout, 4×4, stride 2, padding 1): forward as one product giving every
//! tap's contribution, then col2im onto the doubled maps (no zero-stuffing). It is the adjoint
//! of a stride-2 convolution, so its backward is one: the output gradient's im2col, then
//! `W · taps` for the input and `x · tapsᵀ` for the weights.

use super::conv::{add_row_sums, sized};
use super::param::Param;
use super::product::{add_product_nt, product, View};
use super::window::{col2im, im2col, Activation, Scatter, Window, TAPS};

#[derive(Clone, Debug)]
pub struct ConvTranspose {
    pub cin: usize,
    pub cout: usize,
    /// `[cin][cout][4][4]` (PyTorch's layout): a `cin × 16·cout` matrix.
    pub weight: Param,
    pub bias: Option<Param>,
}

impl ConvTranspose {
    /// The stride-2 window over this layer's output maps (`2·side` square).
    pub fn window(side: usize, batch: usize) -> Window {
        Window::new(2, 2 * side, batch)
    }

    pub fn params_mut(&mut self) -> Vec<&mut Param> {
        std::iter::once(&mut self.weight)
            .chain(self.bias.as_mut())
            .collect()
    }

    /// `input`: `cin × batch·side²` (already activated); `out`: `cout × batch·(2·side)²`.
    pub fn forward(
        &self,
        input: &[f32],
        side: usize,
        batch: usize,
        taps: &mut Vec<f32>,
        out: &mut [f32],
    ) {
        let window = Self::window(side, batch);
        let columns = window.columns();
        let rows = self.cout * TAPS;
        let taps = sized(taps, rows * columns);
        product(
            taps,
            View::new(&self.weight.value, self.cin, rows).t(),
            View::new(input, self.cin, columns),
            false,
        );
        let bias = self.bias.as_ref().map(|b| &b.value[..]);
        col2im(taps, self.cout, window, out, Scatter::Write { bias });
    }

    /// From `g_out` (`cout × batch·(2·side)²`): adds the weight and bias gradients, and writes
    /// the input gradient (before the input's activation) into `g_input` when given.
    pub fn backward(
        &mut self,
        input: &[f32],
        side: usize,
        batch: usize,
        g_out: &[f32],
        g_input: Option<&mut [f32]>,
        taps: &mut Vec<f32>,
    ) {
        let window = Self::window(side, batch);
        let columns = window.columns();
        let rows = self.cout * TAPS;
        let taps = sized(taps, rows * columns);
        im2col(g_out, self.cout, window, Activation::Identity, taps);
        add_product_nt(
            &mut self.weight.grad,
            input,
            taps,
            [self.cin, rows, columns],
        );
        if let Some(bias) = &mut self.bias {
            add_row_sums(&mut bias.grad, g_out, window.in_plane());
        }
        if let Some(g_input) = g_input {
            product(
                g_input,
                View::new(&self.weight.value, self.cin, rows),
                View::new(taps, rows, columns),
                false,
            );
        }
    }
}
