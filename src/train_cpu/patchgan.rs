//! The 70×70 PatchGAN in training mode: forward keeping what backward needs; backward for the
//! weights (its own step) or only for its input (the generator's step).

use super::conv::{sized, Conv, InputGrad};
use super::norm::{Layout, Norm, NormStats};
use super::param::Param;
use super::window::Activation;

const LEAKY: Activation = Activation::Leaky(0.2);

/// `convs[0]`, then `convs[1..=norms.len()]` each followed by its norm, then the logit conv;
/// LeakyReLU(0.2) between them.
#[derive(Clone, Debug)]
pub struct PatchGanTrainer {
    pub convs: Vec<Conv>,
    pub norms: Vec<Norm>,
}

/// One forward pass's activations and its gradients' buffers.
#[derive(Default)]
pub struct PatchGanPass {
    batch: usize,
    size: usize,
    /// concat(input, image): `[channels][image][row][column]`.
    pub input: Vec<f32>,
    /// Each conv's output, before its norm; the last is the logits.
    z: Vec<Vec<f32>>,
    /// The norms' outputs (`normed[l]` for conv `l + 1`).
    normed: Vec<Vec<f32>>,
    stats: Vec<NormStats>,
    /// Gradient at each conv's output, after its norm (what the next conv reads).
    g_out: Vec<Vec<f32>>,
    g_z: Vec<f32>,
    scratch: Vec<f32>,
}

impl PatchGanPass {
    pub fn logits(&self) -> &[f32] {
        self.z.last().map_or(&[], |z| &z[..])
    }

    /// Sizes the buffers for `channels` input maps, `batch` of them, `size` square.
    pub fn prepare(&mut self, net: &PatchGanTrainer, batch: usize, size: usize) {
        if self.batch == batch && self.size == size && !self.z.is_empty() {
            return;
        }
        let mut side = size;
        let mut z = Vec::new();
        for conv in &net.convs {
            side = conv.window(side, batch).out_side();
            z.push(vec![0.0; conv.cout * batch * side * side]);
        }
        *self = PatchGanPass {
            batch,
            size,
            input: vec![0.0; net.convs[0].cin * batch * size * size],
            normed: z[1..=net.norms.len()].to_vec(),
            g_out: z.clone(),
            z,
            stats: vec![NormStats::default(); net.norms.len()],
            g_z: Vec::new(),
            scratch: Vec::new(),
        };
    }
}

/// What conv `l + 1` reads (before its LeakyReLU): conv `l`'s output, after its norm if it has
/// one.
fn output<'a>(normed: &'a [Vec<f32>], z: &'a [Vec<f32>], l: usize) -> &'a [f32] {
    if l >= 1 && l <= normed.len() {
        &normed[l - 1]
    } else {
        &z[l]
    }
}

impl PatchGanTrainer {
    pub fn params_mut(&mut self) -> Vec<&mut Param> {
        let mut params: Vec<&mut Param> = Vec::new();
        for conv in &mut self.convs {
            params.extend(conv.params_mut());
        }
        for norm in &mut self.norms {
            params.extend(norm.params_mut());
        }
        params
    }

    fn sides(&self, size: usize, batch: usize) -> Vec<usize> {
        let mut sides = vec![size];
        for conv in &self.convs {
            let side = *sides.last().expect("the input side");
            sides.push(conv.window(side, batch).out_side());
        }
        sides
    }

    /// Patch logits for `pass.input` (filled by the caller, sized by `pass.prepare`).
    pub fn forward(&mut self, pass: &mut PatchGanPass) {
        let (batch, size) = (pass.batch, pass.size);
        let sides = self.sides(size, batch);
        for (l, conv) in self.convs.iter().enumerate() {
            let window = conv.window(sides[l], batch);
            let mut z = std::mem::take(&mut pass.z[l]);
            let (source, activation) = match l {
                0 => (&pass.input[..], Activation::Identity),
                _ => (output(&pass.normed, &pass.z, l - 1), LEAKY),
            };
            conv.forward(source, window, activation, &mut pass.scratch, &mut z);
            if l >= 1 && l <= self.norms.len() {
                let layout = Layout {
                    channels: conv.cout,
                    batch,
                    area: sides[l + 1].pow(2),
                };
                self.norms[l - 1].forward(
                    &z,
                    layout,
                    &mut pass.normed[l - 1],
                    &mut pass.stats[l - 1],
                );
            }
            pass.z[l] = z;
        }
    }

    /// From `g_logits`: adds the weights' gradients when `params`; adds the gradient of the input
    /// channels from `from_channel` on into `input_grad` when given.
    pub fn backward(
        &mut self,
        pass: &mut PatchGanPass,
        g_logits: &[f32],
        params: bool,
        input_grad: Option<InputGrad>,
    ) {
        let (batch, size) = (pass.batch, pass.size);
        let sides = self.sides(size, batch);
        let last = self.convs.len() - 1;
        let mut input_grad = input_grad;
        for l in (0..=last).rev() {
            let window = self.convs[l].window(sides[l], batch);
            let mut g_out = std::mem::take(&mut pass.g_out[l]);
            if l == last {
                let len = g_out.len();
                g_out.copy_from_slice(&g_logits[..len]);
            }
            let g_z: &[f32] = if l >= 1 && l <= self.norms.len() {
                let g_z = sized(&mut pass.g_z, g_out.len());
                let layout = Layout {
                    channels: self.convs[l].cout,
                    batch,
                    area: sides[l + 1].pow(2),
                };
                self.norms[l - 1].backward(&pass.z[l], layout, &pass.stats[l - 1], &g_out, g_z);
                g_z
            } else {
                &g_out
            };
            let mut g_below = if l > 0 {
                let mut g = std::mem::take(&mut pass.g_out[l - 1]);
                g.fill(0.0);
                Some(g)
            } else {
                None
            };
            let (source, activation, grad) = match (l, g_below.as_mut()) {
                (0, _) => (&pass.input[..], Activation::Identity, input_grad.take()),
                (_, Some(g)) => (
                    output(&pass.normed, &pass.z, l - 1),
                    LEAKY,
                    Some(InputGrad {
                        grad: g,
                        from_channel: 0,
                    }),
                ),
                _ => unreachable!("every conv but the first has one below"),
            };
            self.convs[l].backward(
                source,
                window,
                activation,
                g_z,
                params,
                grad,
                &mut pass.scratch,
            );
            pass.g_out[l] = g_out;
            if let Some(g) = g_below {
                pass.g_out[l - 1] = g;
            }
        }
    }
}
