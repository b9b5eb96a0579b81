//! Row-major matrix products on the `gemm` crate, threaded over rayon's pool.

use gemm::Parallelism;

/// `dst[m×n] = lhs[m×k] · rhs[k×n]`, all three row-major and contiguous, on every thread when
/// it is big enough to share.
pub fn matmul(dst: &mut [f32], lhs: &[f32], rhs: &[f32], [m, k, n]: [usize; 3]) {
    matmul_on(dst, lhs, rhs, [m, k, n], m * n * k >= THREADED_FROM);
}

/// [`matmul`] on this thread only, for callers that share the work out themselves.
pub fn matmul_here(dst: &mut [f32], lhs: &[f32], rhs: &[f32], [m, k, n]: [usize; 3]) {
    matmul_on(dst, lhs, rhs, [m, k, n], false);
}

fn matmul_on(dst: &mut [f32], lhs: &[f32], rhs: &[f32], [m, k, n]: [usize; 3], shared: bool) {
    assert!(dst.len() >= m * n && lhs.len() >= m * k && rhs.len() >= k * n);
    if m == 0 || n == 0 {
        return;
    }
    let threads = if shared {
        Parallelism::Rayon(0)
    } else {
        Parallelism::None
    };
    // SAFETY: the assert above keeps every index these strides reach inside the three slices,
    // and `dst` is borrowed mutably, so it cannot alias the inputs.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            false,
            lhs.as_ptr(),
            1,
            k as isize,
            rhs.as_ptr(),
            1,
            n as isize,
            0.0,
            1.0,
            false,
            false,
            false,
            threads,
        );
    }
}

/// Below this many multiply-adds a second thread costs more than it saves.
const THREADED_FROM: usize = 64 * 64 * 64;
