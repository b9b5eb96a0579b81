//! The elementwise loops around the products (activations, normalisation, col2im, Adam) are
//! plain Rust. The x86-64 baseline the binary is built for only allows SSE2, four lanes where
//! AVX-512 has sixteen, so [`widest!`] compiles such a function three times, for AVX-512, for
//! AVX2 and for the baseline, and calls the widest this CPU has. Helpers it calls must be
//! `#[inline(always)]` to be widened with it.

use std::sync::OnceLock;

/// Defines a free function whose body is compiled for AVX-512, AVX2 and the baseline, the
/// version run chosen once per process from what the CPU has. Arguments are plain names.
macro_rules! widest {
    ($(#[$attr:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? $body:block) => {
        $(#[$attr])*
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[allow(clippy::too_many_arguments)]
                #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,avx,fma")]
                unsafe fn avx512($($arg: $ty),*) $(-> $ret)? $body
                #[allow(clippy::too_many_arguments)]
                #[target_feature(enable = "avx2,avx,fma")]
                unsafe fn avx2($($arg: $ty),*) $(-> $ret)? $body
                match $crate::train_cpu::simd::level() {
                    // SAFETY: `level` found the instructions each version is compiled for.
                    $crate::train_cpu::simd::Level::Avx512 => return unsafe { avx512($($arg),*) },
                    $crate::train_cpu::simd::Level::Avx2 => return unsafe { avx2($($arg),*) },
                    $crate::train_cpu::simd::Level::Baseline => {}
                }
            }
            $body
        }
    };
}
pub(crate) use widest;

/// Σ `term(v)` over `values` in f64, with sixteen running sums side by side so that each add
/// need not wait for the one before (one running sum is a chain of dependent adds).
#[inline(always)]
pub fn sum_f64(values: &[f32], term: impl Fn(f32) -> f64) -> f64 {
    let mut lanes = [0.0f64; LANES];
    let chunks = values.chunks_exact(LANES);
    let tail: f64 = chunks.remainder().iter().map(|&v| term(v)).sum();
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane += term(v);
        }
    }
    lanes.iter().sum::<f64>() + tail
}

/// Σ `term(a, b)` over two equally long slices, as [`sum_f64`] does, for two sums at once.
#[inline(always)]
pub fn sum_pairs_f64(a: &[f32], b: &[f32], term: impl Fn(f32, f32) -> (f64, f64)) -> (f64, f64) {
    assert_eq!(a.len(), b.len());
    let mut first = [0.0f64; LANES];
    let mut second = [0.0f64; LANES];
    let (chunks_a, chunks_b) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail = chunks_a.remainder().iter().zip(chunks_b.remainder()).fold(
        (0.0, 0.0),
        |(s, t), (&x, &y)| {
            let (p, q) = term(x, y);
            (s + p, t + q)
        },
    );
    for (chunk_a, chunk_b) in chunks_a.zip(chunks_b) {
        for i in 0..LANES {
            let (p, q) = term(chunk_a[i], chunk_b[i]);
            first[i] += p;
            second[i] += q;
        }
    }
    (
        first.iter().sum::<f64>() + tail.0,
        second.iter().sum::<f64>() + tail.1,
    )
}

const LANES: usize = 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Avx512,
    Avx2,
    Baseline,
}

pub fn level() -> Level {
    static LEVEL: OnceLock<Level> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx512f")
                && is_x86_feature_detected!("avx512bw")
                && is_x86_feature_detected!("avx512dq")
                && is_x86_feature_detected!("avx512vl")
                && is_x86_feature_detected!("fma")
            {
                return Level::Avx512;
            }
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                return Level::Avx2;
            }
        }
        Level::Baseline
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    widest! {
        fn scaled_sums(a: &[f32], b: &[f32]) -> (f64, f64, f64) {
            let single = sum_f64(a, |v| f64::from(v) * 2.0);
            let (s, t) = sum_pairs_f64(a, b, |x, y| (f64::from(x), f64::from(x * y)));
            (single, s, t)
        }
    }

    #[test]
    fn lane_sums_match_one_running_sum() {
        for len in [0, 1, 15, 16, 17, 100, 1000] {
            let a: Vec<f32> = (0..len).map(|i| (i as f32 * 0.37).sin()).collect();
            let b: Vec<f32> = (0..len).map(|i| (i as f32 * 0.11).cos()).collect();
            let (single, s, t) = scaled_sums(&a, &b);
            let want: f64 = a.iter().map(|&v| f64::from(v) * 2.0).sum();
            assert!((single - want).abs() < 1e-9, "{len}: {single} vs {want}");
            let (want_s, want_t) = a.iter().zip(&b).fold((0.0, 0.0), |(s, t), (&x, &y)| {
                (s + f64::from(x), t + f64::from(x * y))
            });
            assert!((s - want_s).abs() < 1e-9 && (t - want_t).abs() < 1e-9);
        }
    }
}
