//! ConvTranspose2d(cin → cout, 4×4, stride 2, padding 1): forward as one product giving every
//! tap's contribution, then col2im onto the doubled maps (no zero-stuffing). It is the adjoint
//! of a stride-2 convolution, so its backward is one: the output gradient's im2col, then
//! `W · taps` for the input and `x · tapsᵀ` for the weights.
//!
//! A resize-convolution runs as the same layer: its 3×3 kernel is the trained parameter and
//! the 4×4 one is derived from it before each pass (see [`crate::model::upsample`]).

use super::conv::{add_row_sums, sized};
use super::param::Param;
use super::product::{add_product_nt, product, View};
use super::window::{col2im, im2col, Activation, Scatter, Window, TAPS};
use crate::model::upsample::{add_transpose_grad_to_resize, resize_as_transpose};

#[derive(Clone, Debug)]
pub struct ConvTranspose {
    pub cin: usize,
    pub cout: usize,
    /// `[cin][cout][4][4]` (PyTorch's layout): a `cin × 16·cout` matrix. Derived from `resize`
    /// when there is one, and then not a parameter itself.
    pub weight: Param,
    pub bias: Option<Param>,
    /// The resize-convolution's `[cin][cout][3][3]` kernel.
    pub resize: Option<Param>,
}

impl ConvTranspose {
    /// The stride-2 window over this layer's output maps (`2·side` square).
    pub fn window(side: usize, batch: usize) -> Window {
        Window::new(2, 2 * side, batch)
    }

    pub fn params_mut(&mut self) -> Vec<&mut Param> {
        let kernel = match &mut self.resize {
            Some(resize) => resize,
            None => &mut self.weight,
        };
        std::iter::once(kernel).chain(self.bias.as_mut()).collect()
    }

    /// Brings the 4×4 kernel up to date with the resize kernel (after an optimiser step).
    pub fn tie(&mut self) {
        if let Some(resize) = &self.resize {
            resize_as_transpose(&resize.value, &mut self.weight.value);
        }
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
        if self.resize.is_some() {
            self.weight.grad.fill(0.0);
        }
        add_product_nt(
            &mut self.weight.grad,
            input,
            taps,
            [self.cin, rows, columns],
        );
        if let Some(resize) = &mut self.resize {
            add_transpose_grad_to_resize(&self.weight.grad, &mut resize.grad);
        }
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
