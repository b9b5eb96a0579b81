//! A trainable tensor: its values, the gradient being accumulated, and Adam's moments.

use rayon::prelude::*;

use super::simd::widest;

#[derive(Clone, Debug, Default)]
pub struct Param {
    pub value: Vec<f32>,
    pub grad: Vec<f32>,
    pub moment_1: Vec<f32>,
    pub moment_2: Vec<f32>,
    /// Adam steps taken (0: the moments are still unset).
    pub steps: usize,
}

impl Param {
    pub fn new(value: Vec<f32>) -> Self {
        let len = value.len();
        Self {
            value,
            grad: vec![0.0; len],
            moment_1: vec![0.0; len],
            moment_2: vec![0.0; len],
            steps: 0,
        }
    }

    pub fn zero_grad(&mut self) {
        self.grad.fill(0.0);
    }
}

/// The reference's optimiser, computed as Burn's `Adam` computes it (bias corrections folded
/// into the step size and epsilon).
#[derive(Clone, Copy, Debug)]
pub struct Adam {
    pub beta_1: f32,
    pub beta_2: f32,
    pub epsilon: f32,
}

impl Adam {
    /// pix2pix's settings: β1 0.5, β2 0.999, ε 1e-8.
    pub fn pix2pix() -> Self {
        Self {
            beta_1: 0.5,
            beta_2: 0.999,
            epsilon: 1e-8,
        }
    }

    pub fn step(&self, param: &mut Param, lr: f64) {
        param.steps += 1;
        let time = param.steps as i32;
        let (b1, b2) = (self.beta_1, self.beta_2);
        let correction_2 = (1.0 - b2.powi(time)).sqrt();
        let factor = correction_2 / (1.0 - b1.powi(time));
        let epsilon = self.epsilon * correction_2;
        let update = Update {
            beta_1: b1,
            beta_2: b2,
            lr: lr as f32,
            factor,
            epsilon,
        };
        param
            .value
            .par_chunks_mut(CHUNK)
            .zip(param.grad.par_chunks(CHUNK))
            .zip(param.moment_1.par_chunks_mut(CHUNK))
            .zip(param.moment_2.par_chunks_mut(CHUNK))
            .for_each(|(((value, grad), m1), m2)| adam_update(update, grad, m1, m2, value));
    }
}

const CHUNK: usize = 64 * 1024;

/// One Adam step's constants, bias corrections folded in.
#[derive(Clone, Copy)]
struct Update {
    beta_1: f32,
    beta_2: f32,
    lr: f32,
    factor: f32,
    epsilon: f32,
}

widest! {
    fn adam_update(
        update: Update,
        grad: &[f32],
        moment_1: &mut [f32],
        moment_2: &mut [f32],
        value: &mut [f32],
    ) {
        let Update { beta_1: b1, beta_2: b2, lr, factor, epsilon } = update;
        for (((p, &g), m), v) in value.iter_mut().zip(grad).zip(moment_1).zip(moment_2) {
            *m = b1 * *m + (1.0 - b1) * g;
            *v = b2 * *v + (1.0 - b2) * g * g;
            *p -= lr * (*m * factor) / (v.sqrt() + epsilon);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PyTorch's textbook form: m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ), p −= lr·m̂/(√v̂ + ε).
    #[test]
    fn matches_the_textbook_update_over_several_steps() {
        let adam = Adam::pix2pix();
        let mut param = Param::new(vec![0.5, -1.0, 2.0]);
        let (mut m, mut v, mut p) = ([0f64; 3], [0f64; 3], [0.5f64, -1.0, 2.0]);
        for t in 1..=5 {
            let grads = [0.1 * t as f64, -0.3, 1e-3];
            param.grad = grads.iter().map(|&g| g as f32).collect();
            adam.step(&mut param, 2e-4);
            for i in 0..3 {
                m[i] = 0.5 * m[i] + 0.5 * grads[i];
                v[i] = 0.999 * v[i] + 0.001 * grads[i] * grads[i];
                let m_hat = m[i] / (1.0 - 0.5f64.powi(t));
                let v_hat = v[i] / (1.0 - 0.999f64.powi(t));
                p[i] -= 2e-4 * m_hat / (v_hat.sqrt() + 1e-8);
            }
        }
        for (got, want) in param.value.iter().zip(p) {
            assert!((*got as f64 - want).abs() < 1e-6, "{got} vs {want}");
        }
    }
}
