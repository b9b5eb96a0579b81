//! The pix2pix losses with their gradients: BCE-with-logits against a constant label (the GAN
//! term) and the mean absolute error (the L1 term).

/// Mean binary cross-entropy of `logits` against label 1 (`real`) or 0, in the stable form
/// `max(x, 0) − x·y + log(1 + e^−|x|)`. Writes `weight · d(mean)/dx = weight·(σ(x) − y)/M`.
pub fn bce_with_logits(logits: &[f32], real: bool, weight: f32, grad: &mut [f32]) -> f32 {
    let label = if real { 1.0 } else { 0.0 };
    let scale = weight / logits.len() as f32;
    let mut total = 0f64;
    for (g, &x) in grad.iter_mut().zip(logits) {
        let e = (-x.abs()).exp();
        total += f64::from(x.max(0.0) - x * label + e.ln_1p());
        let sigmoid = if x >= 0.0 {
            1.0 / (1.0 + e)
        } else {
            e / (1.0 + e)
        };
        *g = scale * (sigmoid - label);
    }
    (total / logits.len() as f64) as f32
}

/// Mean |a − b|; adds `weight · d(mean)/da = weight·sign(a − b)/M` to `grad`.
pub fn l1(a: &[f32], b: &[f32], weight: f32, grad: &mut [f32]) -> f32 {
    let scale = weight / a.len() as f32;
    let mut total = 0f64;
    for ((g, &x), &y) in grad.iter_mut().zip(a).zip(b) {
        let d = x - y;
        total += f64::from(d.abs());
        if d > 0.0 {
            *g += scale;
        } else if d < 0.0 {
            *g -= scale;
        }
    }
    (total / a.len() as f64) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric(f: impl Fn(f32) -> f32, x: f32) -> f32 {
        let h = 1e-3;
        (f(x + h) - f(x - h)) / (2.0 * h)
    }

    #[test]
    fn bce_gradient_matches_finite_differences_and_is_stable() {
        for real in [true, false] {
            for x in [-30.0f32, -2.5, -0.3, 0.7, 4.0, 40.0] {
                let mut g = [0.0];
                let loss = bce_with_logits(&[x], real, 1.0, &mut g);
                assert!(loss.is_finite() && loss >= 0.0);
                let f = |x: f32| bce_with_logits(&[x], real, 1.0, &mut [0.0]);
                assert!((g[0] - numeric(f, x)).abs() < 1e-3, "x {x} real {real}");
            }
        }
        let mut g = [0.0; 2];
        let loss = bce_with_logits(&[0.0, 0.0], true, 0.5, &mut g);
        assert!((loss - std::f32::consts::LN_2).abs() < 1e-6);
        assert!((g[0] + 0.125).abs() < 1e-7);
    }

    #[test]
    fn l1_is_the_mean_and_its_gradient_the_scaled_sign() {
        let mut g = [1.0; 3];
        let loss = l1(&[1.0, -1.0, 0.5], &[0.0, 0.0, 0.5], 3.0, &mut g);
        assert!((loss - 2.0 / 3.0).abs() < 1e-6);
        assert_eq!(g, [2.0, 0.0, 1.0]);
    }
}
