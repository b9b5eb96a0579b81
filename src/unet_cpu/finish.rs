//! What a layer does after its product: bias, then instance norm; and the fast tanh the last
//! layer ends with.

use rayon::prelude::*;

/// The last step of a layer (batch norm, if any, is already in the weights and bias).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Finish {
    /// Nothing more.
    None,
    /// Instance norm (no affine) with this epsilon.
    InstanceNorm(f32),
    /// Tanh: the picture.
    Tanh,
}

impl Finish {
    /// The epsilon of the instance norm this layer ends with, if it does.
    pub fn instance_norm(self) -> Option<f32> {
        match self {
            Self::InstanceNorm(epsilon) => Some(epsilon),
            _ => None,
        }
    }
}

/// Adds each channel's bias (if given) to its `area`-sized plane, then instance norm (if given
/// its epsilon). Tanh is not here: the last layer applies it as it writes its rows.
pub fn finish(planes: &mut [f32], area: usize, bias: Option<&[f32]>, instance_norm: Option<f32>) {
    if bias.is_none() && instance_norm.is_none() {
        return;
    }
    planes
        .par_chunks_mut(area)
        .enumerate()
        .for_each(|(channel, plane)| match instance_norm {
            // A constant bias is exactly what the norm's mean removes.
            Some(epsilon) => normalise(plane, epsilon),
            None => {
                let b = bias.map_or(0.0, |bias| bias[channel]);
                plane
                    .par_chunks_mut(PIECE)
                    .for_each(|piece| piece.iter_mut().for_each(|v| *v += b));
            }
        });
}

/// Pieces of a plane that threads share when a layer has fewer channels than threads.
const PIECE: usize = 16 * 1024;

fn normalise(plane: &mut [f32], epsilon: f32) {
    let n = plane.len() as f64;
    let mean = plane.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let var = plane
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n;
    let scale = (1.0 / (var + f64::from(epsilon)).sqrt()) as f32;
    let mean = mean as f32;
    plane.iter_mut().for_each(|v| *v = (*v - mean) * scale);
}

/// tanh as a rational function (odd degree 13 over even degree 6), a few ulp from the exact
/// value, several times faster than libm's and branch-free so it vectorises.
pub fn tanh(x: f32) -> f32 {
    const CLAMP: f32 = 7.905_311;
    const ALPHA: [f32; 7] = [
        4.893_524_6e-3,
        6.372_619_3e-4,
        1.485_722_4e-5,
        5.122_297e-8,
        -8.604_672e-11,
        2.000_188e-13,
        -2.760_768_5e-16,
    ];
    const BETA: [f32; 4] = [4.893_525e-3, 2.268_434_6e-3, 1.185_347_1e-4, 1.198_258_4e-6];
    let x = x.clamp(-CLAMP, CLAMP);
    let x2 = x * x;
    let p = ALPHA.iter().rev().fold(0.0, |acc, &a| acc * x2 + a);
    let q = BETA.iter().rev().fold(0.0, |acc, &b| acc * x2 + b);
    x * p / q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tanh_is_within_a_few_ulp_everywhere() {
        let worst = (-20_000..=20_000)
            .map(|i| i as f32 * 5e-4)
            .map(|x| (tanh(x) - (x as f64).tanh() as f32).abs())
            .fold(0.0, f32::max);
        assert!(worst < 1e-6, "worst error {worst}");
        assert!((tanh(100.0) - 1.0).abs() < 1e-6 && (tanh(-100.0) + 1.0).abs() < 1e-6);
    }

    #[test]
    fn instance_norm_gives_zero_mean_unit_variance() {
        let mut planes: Vec<f32> = (0..32).map(|i| (i * i) as f32).collect();
        finish(&mut planes, 16, Some(&[3.0, -1.0]), Some(1e-5));
        for plane in planes.chunks(16) {
            let mean = plane.iter().sum::<f32>() / 16.0;
            let var = plane.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / 16.0;
            assert!(
                mean.abs() < 1e-5 && (var - 1.0).abs() < 1e-3,
                "{mean} {var}"
            );
        }
    }
}
