//! Matrix products for training: any operand may be a transposed view, and the product may be
//! added to what the destination holds (gradients accumulate across the batch's passes).

use gemm::Parallelism;
use rayon::prelude::*;

use super::simd::widest;

/// A row-major `rows × cols` matrix, or the transpose of one.
#[derive(Clone, Copy)]
pub struct View<'a> {
    data: &'a [f32],
    rows: usize,
    cols: usize,
    transposed: bool,
}

impl<'a> View<'a> {
    pub fn new(data: &'a [f32], rows: usize, cols: usize) -> Self {
        assert!(
            data.len() >= rows * cols,
            "a {rows}×{cols} matrix needs {} values, got {}",
            rows * cols,
            data.len()
        );
        Self {
            data,
            rows,
            cols,
            transposed: false,
        }
    }

    /// The same values read as the transposed matrix (no copy).
    pub fn t(self) -> Self {
        Self {
            rows: self.cols,
            cols: self.rows,
            transposed: !self.transposed,
            ..self
        }
    }

    /// (column stride, row stride) in elements, as `gemm` takes them.
    fn strides(&self) -> (isize, isize) {
        if self.transposed {
            (self.rows as isize, 1)
        } else {
            (1, self.cols as isize)
        }
    }
}

/// `dst[m×n] (+)= lhs[m×k] · rhs[k×n]`, `dst` row-major and contiguous; on every thread when it
/// is big enough to share.
pub fn product(dst: &mut [f32], lhs: View, rhs: View, accumulate: bool) {
    let (m, k, n) = (lhs.rows, lhs.cols, rhs.cols);
    assert_eq!(rhs.rows, k, "inner dimensions differ");
    assert!(dst.len() >= m * n);
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            dst[..m * n].fill(0.0);
        }
        return;
    }
    let threads = if m * n * k >= THREADED_FROM {
        Parallelism::Rayon(0)
    } else {
        Parallelism::None
    };
    let (lhs_cs, lhs_rs) = lhs.strides();
    let (rhs_cs, rhs_rs) = rhs.strides();
    // SAFETY: `View::new` and the assert above keep every index these strides reach inside the
    // three slices, and `dst` is borrowed mutably, so it cannot alias the inputs.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            lhs.data.as_ptr(),
            lhs_cs,
            lhs_rs,
            rhs.data.as_ptr(),
            rhs_cs,
            rhs_rs,
            1.0,
            1.0,
            false,
            false,
            false,
            threads,
        );
    }
}

/// `dst[m×n] += lhs[m×p] · rhs[n×p]ᵀ` (both row-major), for a long shared dimension `p`: a
/// weight gradient, summed over every output pixel of the batch. The gemm crate packs the
/// transposed problem far better (`rhs · lhsᵀ`, `n×m`), so that is what is computed, then added
/// in transposed. When the result is small next to `p`, each thread sums its own share of `p`.
pub fn add_product_nt(dst: &mut [f32], lhs: &[f32], rhs: &[f32], [m, n, p]: [usize; 3]) {
    assert!(dst.len() >= m * n && lhs.len() >= m * p && rhs.len() >= n * p);
    let threads = rayon::current_num_threads();
    // Measured: splitting pays for small results only (64×64 over 65,536 pixels: 1.7× faster;
    // 128×1,024 over 16,384: 2× slower).
    let parts = if m * n <= SMALL_RESULT && p >= 4096 {
        threads
    } else {
        1
    };
    let share = p.div_ceil(parts);
    let partial: Vec<Vec<f32>> = (0..parts)
        .into_par_iter()
        .map(|part| {
            let range = part * share..((part + 1) * share).min(p);
            let mut out = vec![0.0; n * m];
            let len = range.len();
            if len > 0 {
                let parallel = if parts == 1 && m * n * p >= THREADED_FROM {
                    Parallelism::Rayon(0)
                } else {
                    Parallelism::None
                };
                // SAFETY: rows of `rhs` and `lhs` are `p` long, so (row, range.start + i) for
                // i < len stays inside them; `out` is n×m, contiguous and owned here.
                unsafe {
                    gemm::gemm(
                        n,
                        m,
                        len,
                        out.as_mut_ptr(),
                        1,
                        m as isize,
                        false,
                        rhs.as_ptr().add(range.start),
                        1,
                        p as isize,
                        lhs.as_ptr().add(range.start),
                        p as isize,
                        1,
                        0.0,
                        1.0,
                        false,
                        false,
                        false,
                        parallel,
                    );
                }
            }
            out
        })
        .collect();
    // Added in bands of BAND rows of `dst`: a band reads each transposed line's BAND
    // consecutive values (one cache line) instead of one value from a line per row.
    dst[..m * n]
        .par_chunks_mut(BAND * n)
        .enumerate()
        .for_each(|(band, rows)| {
            for part in &partial {
                add_transposed(rows, part, band * BAND, m, n);
            }
        });
}

widest! {
    /// `rows` (`dst`'s rows from `first`, `n` long) += those rows of `transposed` (`n × m`)ᵀ.
    fn add_transposed(rows: &mut [f32], transposed: &[f32], first: usize, m: usize, n: usize) {
        let height = rows.len() / n;
        for j in 0..n {
            let column = &transposed[j * m + first..][..height];
            for (r, &v) in column.iter().enumerate() {
                rows[r * n + j] += v;
            }
        }
    }
}

/// Rows of `dst` added together from the transposed result.
const BAND: usize = 16;

/// Results up to this many values get one share of the shared dimension per thread.
const SMALL_RESULT: usize = 16 * 1024;

/// Below this many multiply-adds a second thread costs more than it saves.
const THREADED_FROM: usize = 64 * 64 * 64;

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[f32], b: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
            }
        }
        c
    }

    fn transpose(a: &[f32], rows: usize, cols: usize) -> Vec<f32> {
        let mut t = vec![0.0; a.len()];
        for r in 0..rows {
            for c in 0..cols {
                t[c * rows + r] = a[r * cols + c];
            }
        }
        t
    }

    #[test]
    fn weight_gradient_products_match_a_naive_product() {
        // Short and long shared dimensions: one product, or one share per thread.
        for (m, n, p) in [(3, 4, 5), (8, 4, 40_000), (37, 21, 50)] {
            let a: Vec<f32> = (0..m * p).map(|i| ((i % 97) as f32 * 0.37).sin()).collect();
            let b: Vec<f32> = (0..n * p).map(|i| ((i % 89) as f32 * 0.11).cos()).collect();
            let expected = naive(&a, &transpose(&b, n, p), m, p, n);
            let mut c = vec![1.0; m * n];
            add_product_nt(&mut c, &a, &b, [m, n, p]);
            for (got, want) in c.iter().zip(&expected) {
                assert!((got - (want + 1.0)).abs() < 1e-3 * want.abs().max(1.0));
            }
        }
    }

    #[test]
    fn transposed_views_and_accumulation_match_a_naive_product() {
        let (m, k, n) = (7, 5, 9);
        let a: Vec<f32> = (0..m * k).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..k * n).map(|i| (i as f32 * 0.11).cos()).collect();
        let expected = naive(&a, &b, m, k, n);
        let (at, bt) = (transpose(&a, m, k), transpose(&b, k, n));
        for (lhs, rhs) in [
            (View::new(&a, m, k), View::new(&b, k, n)),
            (View::new(&at, k, m).t(), View::new(&b, k, n)),
            (View::new(&a, m, k), View::new(&bt, n, k).t()),
            (View::new(&at, k, m).t(), View::new(&bt, n, k).t()),
        ] {
            let mut c = vec![1.0; m * n];
            product(&mut c, lhs, rhs, true);
            for (got, want) in c.iter().zip(&expected) {
                assert!((got - (want + 1.0)).abs() < 1e-5);
            }
            product(&mut c, lhs, rhs, false);
            for (got, want) in c.iter().zip(&expected) {
                assert!((got - want).abs() < 1e-5);
            }
        }
    }
}
