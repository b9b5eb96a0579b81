//! Products with only a few columns (the U-Net's deepest levels, 1×1 to 4×4 pixels): there the
//! weights outweigh the work, so each weight row is read once, straight from where it lies, and
//! dotted with every column, instead of being packed first as a general product does.
//! AVX-512 only; elsewhere [`matmul_narrow`] returns `false` and the caller uses a general
//! product.

use rayon::prelude::*;

/// Columns at most: beyond this a general product is as fast.
pub const MAX_COLUMNS: usize = 16;

/// `dst[m×n] = lhs[m×k] · rhs[k×n] + bias[row]`, all row-major, when this CPU has the
/// instructions for it (`false`: nothing was done). `scratch` holds `rhs` transposed (`n·k`).
pub fn matmul_narrow(
    dst: &mut [f32],
    lhs: &[f32],
    rhs: &[f32],
    bias: Option<&[f32]>,
    [m, k, n]: [usize; 3],
    scratch: &mut [f32],
) -> bool {
    if n > MAX_COLUMNS || !has_avx512() {
        return false;
    }
    assert!(dst.len() >= m * n && lhs.len() >= m * k && rhs.len() >= k * n);
    let columns = &mut scratch[..n * k];
    for (p, column) in columns.chunks_exact_mut(k).enumerate() {
        for (i, v) in column.iter_mut().enumerate() {
            *v = rhs[i * n + p];
        }
    }
    let columns = &columns[..];
    dst[..m * n]
        .par_chunks_mut(ROWS_PER_TASK * n)
        .zip(lhs[..m * k].par_chunks(ROWS_PER_TASK * k))
        .enumerate()
        .for_each(|(task, (out, rows))| {
            let bias = bias.map(|b| &b[task * ROWS_PER_TASK..]);
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `has_avx512` said yes above.
            unsafe {
                avx512::dot_rows(out, rows, columns, k, bias)
            };
        });
    true
}

const ROWS_PER_TASK: usize = 32;

fn has_avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        is_x86_feature_detected!("avx512f")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    const LANES: usize = 16;
    const TILE: usize = 4;

    /// Every row of `rows` (each `k` long) dotted with every column (`columns`: `n × k`) into
    /// `out` (`rows × n`), plus the row's bias; in tiles of four rows by four columns, so that
    /// sixteen sums run side by side and each loaded vector feeds four of them.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn dot_rows(
        out: &mut [f32],
        rows: &[f32],
        columns: &[f32],
        k: usize,
        bias: Option<&[f32]>,
    ) {
        let n = columns.len() / k;
        let m = rows.len() / k;
        let mut r = 0;
        while r < m {
            let tall = if m - r >= TILE { TILE } else { 1 };
            let mut p = 0;
            while p < n {
                let wide = (n - p).min(TILE);
                let rows = &rows[r * k..][..tall * k];
                let columns = &columns[p * k..][..wide * k];
                let sums = match (tall, wide) {
                    (TILE, TILE) => tile::<TILE, TILE>(rows, columns, k),
                    (TILE, 3) => tile::<TILE, 3>(rows, columns, k),
                    (TILE, 2) => tile::<TILE, 2>(rows, columns, k),
                    (TILE, _) => tile::<TILE, 1>(rows, columns, k),
                    (_, TILE) => tile::<1, TILE>(rows, columns, k),
                    (_, 3) => tile::<1, 3>(rows, columns, k),
                    (_, 2) => tile::<1, 2>(rows, columns, k),
                    _ => tile::<1, 1>(rows, columns, k),
                };
                for (i, sums) in sums.iter().enumerate().take(tall) {
                    let b = bias.map_or(0.0, |b| b[r + i]);
                    for (j, &sum) in sums.iter().enumerate().take(wide) {
                        out[(r + i) * n + p + j] = sum + b;
                    }
                }
                p += wide;
            }
            r += tall;
        }
    }

    /// Dot products of `R` rows with `C` columns, each `k` long and back to back in the slices.
    #[target_feature(enable = "avx512f")]
    #[inline]
    fn tile<const R: usize, const C: usize>(
        rows: &[f32],
        columns: &[f32],
        k: usize,
    ) -> [[f32; TILE]; TILE] {
        assert!(rows.len() >= R * k && columns.len() >= C * k);
        let mut lanes = [[_mm512_setzero_ps(); C]; R];
        let head = k - k % LANES;
        let mut w = [_mm512_setzero_ps(); R];
        let mut x = [_mm512_setzero_ps(); C];
        for start in (0..head).step_by(LANES) {
            for (i, w) in w.iter_mut().enumerate() {
                // SAFETY: start + LANES ≤ k and i < R, so the load stays inside `rows`.
                *w = unsafe { _mm512_loadu_ps(rows.as_ptr().add(i * k + start)) };
            }
            for (j, x) in x.iter_mut().enumerate() {
                // SAFETY: as above, inside `columns`.
                *x = unsafe { _mm512_loadu_ps(columns.as_ptr().add(j * k + start)) };
            }
            for (sums, &w) in lanes.iter_mut().zip(&w) {
                for (sum, &x) in sums.iter_mut().zip(&x) {
                    *sum = _mm512_fmadd_ps(w, x, *sum);
                }
            }
        }
        let mut sums = [[0.0; TILE]; TILE];
        for i in 0..R {
            for j in 0..C {
                let row = &rows[i * k..][..k];
                let column = &columns[j * k..][..k];
                let tail: f32 = (head..k).map(|t| row[t] * column[t]).sum();
                sums[i][j] = _mm512_reduce_add_ps(lanes[i][j]) + tail;
            }
        }
        sums
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_textbook_product() {
        for [m, k, n] in [[37, 70, 5], [64, 1024, 16], [8, 16, 1], [5, 33, 4]] {
            let lhs: Vec<f32> = (0..m * k).map(|i| ((i * 7) % 13) as f32 - 6.0).collect();
            let rhs: Vec<f32> = (0..k * n).map(|i| ((i * 5) % 11) as f32 - 5.0).collect();
            let bias: Vec<f32> = (0..m).map(|i| i as f32).collect();
            let mut dst = vec![0.0; m * n];
            let mut scratch = vec![0.0; n * k];
            if !matmul_narrow(&mut dst, &lhs, &rhs, Some(&bias), [m, k, n], &mut scratch) {
                return; // no AVX-512 here: callers use the general product
            }
            for i in 0..m {
                for j in 0..n {
                    let want =
                        (0..k).map(|t| lhs[i * k + t] * rhs[t * n + j]).sum::<f32>() + bias[i];
                    assert_eq!(dst[i * n + j], want, "{m}×{k}×{n} at ({i}, {j})");
                }
            }
        }
    }
}
