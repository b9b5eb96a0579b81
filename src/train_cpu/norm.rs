//! Batch and instance normalisation in training mode: statistics of the batch (per channel) or
//! of each image (per channel and image), and their exact backward pass.

use rayon::prelude::*;

use super::param::Param;
use super::simd::{sum_f64, sum_pairs_f64, widest};

// One per layer, built once: the size of the instance variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Norm {
    /// Affine scale and shift per channel; running statistics updated on every forward, as
    /// Burn's `BatchNorm` does (biased variance, momentum 0.1).
    Batch {
        gamma: Param,
        beta: Param,
        running_mean: Vec<f32>,
        running_var: Vec<f32>,
        momentum: f32,
        epsilon: f32,
    },
    /// No parameters, no running statistics.
    Instance { epsilon: f32 },
}

/// What a forward pass leaves for the backward one: each group's mean and 1/σ.
#[derive(Clone, Debug, Default)]
pub struct NormStats {
    mean: Vec<f32>,
    inv_std: Vec<f32>,
}

/// Maps of `channels × batch × area` values, channel-major.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    pub channels: usize,
    pub batch: usize,
    pub area: usize,
}

impl Norm {
    /// Contiguous values normalised together.
    fn group_len(&self, layout: Layout) -> usize {
        match self {
            Self::Batch { .. } => layout.batch * layout.area,
            Self::Instance { .. } => layout.area,
        }
    }

    fn epsilon(&self) -> f32 {
        match self {
            Self::Batch { epsilon, .. } | Self::Instance { epsilon } => *epsilon,
        }
    }

    fn affine(&self) -> Option<(&[f32], &[f32])> {
        match self {
            Self::Batch { gamma, beta, .. } => Some((&gamma.value, &beta.value)),
            Self::Instance { .. } => None,
        }
    }

    pub fn params_mut(&mut self) -> Vec<&mut Param> {
        match self {
            Self::Batch { gamma, beta, .. } => vec![gamma, beta],
            Self::Instance { .. } => Vec::new(),
        }
    }

    /// `out = norm(z)`, saving the statistics in `stats`.
    pub fn forward(&mut self, z: &[f32], layout: Layout, out: &mut [f32], stats: &mut NormStats) {
        let len = self.group_len(layout);
        let groups = layout.channels * layout.batch * layout.area / len;
        let per_channel = groups / layout.channels;
        let epsilon = self.epsilon();
        let (mean, var): (Vec<f32>, Vec<f32>) = z[..groups * len]
            .par_chunks(len)
            .map(mean_and_variance)
            .unzip();
        stats.inv_std = var.iter().map(|v| 1.0 / (v + epsilon).sqrt()).collect();
        let affine = self.affine();
        out[..groups * len]
            .par_chunks_mut(len)
            .zip(z.par_chunks(len))
            .enumerate()
            .for_each(|(group, (out, z))| {
                let (m, s) = (mean[group], stats.inv_std[group]);
                let (g, b) = affine.map_or((1.0, 0.0), |(gamma, beta)| {
                    (gamma[group / per_channel], beta[group / per_channel])
                });
                scale_and_shift(z, s * g, b - m * s * g, out);
            });
        if let Self::Batch {
            running_mean,
            running_var,
            momentum,
            ..
        } = self
        {
            let keep = 1.0 - *momentum;
            for (r, m) in running_mean.iter_mut().zip(&mean) {
                *r = *r * keep + m * *momentum;
            }
            for (r, v) in running_var.iter_mut().zip(&var) {
                *r = *r * keep + v * *momentum;
            }
        }
        stats.mean = mean;
    }

    /// `g_z = d(loss)/dz` from `g_out`, through the batch statistics; adds γ's and β's
    /// gradients.
    pub fn backward(
        &mut self,
        z: &[f32],
        layout: Layout,
        stats: &NormStats,
        g_out: &[f32],
        g_z: &mut [f32],
    ) {
        let len = self.group_len(layout);
        let groups = layout.channels * layout.batch * layout.area / len;
        let per_channel = groups / layout.channels;
        // Per group: Σ g and Σ g·x̂.
        let sums: Vec<(f64, f64)> = z[..groups * len]
            .par_chunks(len)
            .zip(g_out.par_chunks(len))
            .enumerate()
            .map(|(group, (z, g))| gradient_sums(z, g, stats.mean[group], stats.inv_std[group]))
            .collect();
        let gammas = self.affine().map(|(gamma, _)| gamma.to_vec());
        g_z[..groups * len]
            .par_chunks_mut(len)
            .zip(z.par_chunks(len))
            .zip(g_out.par_chunks(len))
            .enumerate()
            .for_each(|(group, ((g_z, z), g))| {
                let (m, s) = (stats.mean[group], stats.inv_std[group]);
                let gamma = gammas.as_ref().map_or(1.0, |g| g[group / per_channel]);
                let mean_g = (sums[group].0 / len as f64) as f32;
                let mean_gx = (sums[group].1 / len as f64) as f32;
                let line = GradientLine {
                    mean: m,
                    inv_std: s,
                    scale: gamma * s,
                    mean_g,
                    mean_gx,
                };
                gradient_line(z, g, line, g_z);
            });
        if let Self::Batch { gamma, beta, .. } = self {
            for (group, (sg, sgx)) in sums.iter().enumerate() {
                let channel = group / per_channel;
                gamma.grad[channel] += *sgx as f32;
                beta.grad[channel] += *sg as f32;
            }
        }
    }
}

widest! {
    /// A group's mean and (biased) variance, summed in f64.
    fn mean_and_variance(values: &[f32]) -> (f32, f32) {
        let len = values.len() as f64;
        let mean = sum_f64(values, f64::from) / len;
        let var = sum_f64(values, |v| (f64::from(v) - mean).powi(2)) / len;
        (mean as f32, var as f32)
    }
}

widest! {
    /// `out = z · scale + shift`.
    fn scale_and_shift(z: &[f32], scale: f32, shift: f32, out: &mut [f32]) {
        for (o, &v) in out.iter_mut().zip(z) {
            *o = v * scale + shift;
        }
    }
}

widest! {
    /// Σ g and Σ g·x̂ over a group, x̂ = (z − mean)·inv_std.
    fn gradient_sums(z: &[f32], g: &[f32], mean: f32, inv_std: f32) -> (f64, f64) {
        sum_pairs_f64(z, g, |v, g| {
            let x_hat = (v - mean) * inv_std;
            (f64::from(g), f64::from(g * x_hat))
        })
    }
}

/// What a group's input gradient needs besides the values.
#[derive(Clone, Copy)]
struct GradientLine {
    mean: f32,
    inv_std: f32,
    /// γ·inv_std
    scale: f32,
    mean_g: f32,
    mean_gx: f32,
}

widest! {
    /// `g_z = scale · (g − mean(g) − x̂ · mean(g·x̂))`.
    fn gradient_line(z: &[f32], g: &[f32], line: GradientLine, g_z: &mut [f32]) {
        for ((o, &v), &g) in g_z.iter_mut().zip(z).zip(g) {
            let x_hat = (v - line.mean) * line.inv_std;
            *o = line.scale * (g - line.mean_g - x_hat * line.mean_gx);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch_norm(channels: usize) -> Norm {
        Norm::Batch {
            gamma: Param::new((0..channels).map(|c| 1.0 + 0.1 * c as f32).collect()),
            beta: Param::new((0..channels).map(|c| 0.05 * c as f32).collect()),
            running_mean: vec![0.0; channels],
            running_var: vec![1.0; channels],
            momentum: 0.1,
            epsilon: 1e-5,
        }
    }

    /// loss = Σ w·norm(z): the analytic gradient against central differences.
    fn check_gradient(mut norm: Norm, layout: Layout) {
        let count = layout.channels * layout.batch * layout.area;
        let z: Vec<f32> = (0..count)
            .map(|i| ((i * 7 % 11) as f32 * 0.3).sin())
            .collect();
        let w: Vec<f32> = (0..count)
            .map(|i| ((i * 5 % 13) as f32 * 0.2).cos())
            .collect();
        let loss = |norm: &mut Norm, z: &[f32]| -> f64 {
            let mut out = vec![0.0; count];
            norm.forward(z, layout, &mut out, &mut NormStats::default());
            out.iter().zip(&w).map(|(o, w)| f64::from(o * w)).sum()
        };
        let mut stats = NormStats::default();
        let mut out = vec![0.0; count];
        norm.forward(&z, layout, &mut out, &mut stats);
        let mut g_z = vec![0.0; count];
        norm.backward(&z, layout, &stats, &w, &mut g_z);
        for i in (0..count).step_by(3) {
            let h = 1e-2;
            let mut plus = z.clone();
            plus[i] += h;
            let mut minus = z.clone();
            minus[i] -= h;
            let numeric = (loss(&mut norm.clone(), &plus) - loss(&mut norm.clone(), &minus))
                / (2.0 * f64::from(h));
            assert!(
                (f64::from(g_z[i]) - numeric).abs() < 2e-3,
                "{i}: {} vs {numeric}",
                g_z[i]
            );
        }
    }

    #[test]
    fn batch_norm_backward_matches_finite_differences() {
        check_gradient(
            batch_norm(2),
            Layout {
                channels: 2,
                batch: 3,
                area: 4,
            },
        );
    }

    #[test]
    fn instance_norm_backward_matches_finite_differences() {
        check_gradient(
            Norm::Instance { epsilon: 1e-5 },
            Layout {
                channels: 2,
                batch: 2,
                area: 6,
            },
        );
    }

    #[test]
    fn batch_norm_normalises_and_updates_running_statistics() {
        let mut norm = batch_norm(1);
        let layout = Layout {
            channels: 1,
            batch: 2,
            area: 2,
        };
        let mut out = vec![0.0; 4];
        norm.forward(
            &[1.0, 2.0, 3.0, 4.0],
            layout,
            &mut out,
            &mut NormStats::default(),
        );
        let expected = (1.0f32 / (1.25f32 + 1e-5).sqrt()) * 1.5;
        assert!((out[0] + expected).abs() < 1e-5 && (out[3] - expected).abs() < 1e-5);
        let Norm::Batch {
            running_mean,
            running_var,
            ..
        } = &norm
        else {
            unreachable!()
        };
        assert!((running_mean[0] - 0.25).abs() < 1e-6);
        assert!((running_var[0] - (0.9 + 0.125)).abs() < 1e-6);
    }
}
