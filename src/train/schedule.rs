//! The reference learning-rate schedule: constant, then linear decay to zero.

/// Learning rate at `step` of `total`: `base` for the first half, then linearly down to zero.
pub fn learning_rate(base: f64, step: u64, total: u64) -> f64 {
    let constant = total / 2;
    if step < constant {
        return base;
    }
    let decay = (total - constant).max(1) as f64;
    base * (1.0 - (step - constant) as f64 / decay).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::learning_rate;

    #[test]
    fn constant_then_linear_to_zero() {
        assert_eq!(learning_rate(2e-4, 0, 100), 2e-4);
        assert_eq!(learning_rate(2e-4, 49, 100), 2e-4);
        assert!((learning_rate(2e-4, 75, 100) - 1e-4).abs() < 1e-12);
        assert_eq!(learning_rate(2e-4, 100, 100), 0.0);
    }
}
