//! Separable resampling with OpenCV's semantics: `INTER_AREA` for shrinking (each output pixel
//! averages the source area it covers) and `INTER_CUBIC` (Keys, a = −0.75, half-pixel centres,
//! replicated border) for enlarging.

/// Area weights for shrinking `src` samples to `dst` (requires `dst <= src`).
pub fn area_taps(src: usize, dst: usize) -> Vec<Vec<(usize, f32)>> {
    let scale = src as f64 / dst as f64;
    (0..dst)
        .map(|d| {
            let start = d as f64 * scale;
            let end = (start + scale).min(src as f64);
            let width = end - start;
            let mut taps = Vec::new();
            let mut s = start.floor() as usize;
            while (s as f64) < end && s < src {
                let overlap = (end.min(s as f64 + 1.0) - start.max(s as f64)).max(0.0);
                if overlap > 1e-3 {
                    taps.push((s, (overlap / width) as f32));
                }
                s += 1;
            }
            taps
        })
        .collect()
}

/// Keys cubic weights (a = −0.75) for a fractional offset `t` in [0, 1).
pub fn cubic_weights(t: f32) -> [f32; 4] {
    const A: f32 = -0.75;
    let w0 = ((A * (t + 1.0) - 5.0 * A) * (t + 1.0) + 8.0 * A) * (t + 1.0) - 4.0 * A;
    let w1 = ((A + 2.0) * t - (A + 3.0)) * t * t + 1.0;
    let u = 1.0 - t;
    let w2 = ((A + 2.0) * u - (A + 3.0)) * u * u + 1.0;
    [w0, w1, w2, 1.0 - w0 - w1 - w2]
}

/// Cubic taps for resizing `src` samples to `dst`, source indices clamped to the border.
pub fn cubic_taps(src: usize, dst: usize) -> Vec<[(usize, f32); 4]> {
    let scale = src as f32 / dst as f32;
    let last = src as i64 - 1;
    (0..dst)
        .map(|d| {
            let f = (d as f32 + 0.5) * scale - 0.5;
            let base = f.floor();
            let w = cubic_weights(f - base);
            let base = base as i64;
            std::array::from_fn(|k| ((base - 1 + k as i64).clamp(0, last) as usize, w[k]))
        })
        .collect()
}

/// The right filter for a change of size: area when shrinking, cubic when enlarging.
pub fn taps(src: usize, dst: usize) -> Vec<Vec<(usize, f32)>> {
    if dst < src {
        area_taps(src, dst)
    } else if dst == src {
        (0..src).map(|i| vec![(i, 1.0)]).collect()
    } else {
        cubic_taps(src, dst)
            .into_iter()
            .map(|t| t.to_vec())
            .collect()
    }
}

/// Resizes a single-channel `w×h` image (row-major) to `dw×dh`, area or cubic per axis.
pub fn resize(src: &[f32], w: usize, h: usize, dw: usize, dh: usize) -> Vec<f32> {
    let across = taps(w, dw);
    let down = taps(h, dh);
    let mut rows = vec![0.0f32; dw * h];
    for y in 0..h {
        let line = &src[y * w..(y + 1) * w];
        for (x, taps) in across.iter().enumerate() {
            rows[y * dw + x] = taps.iter().map(|&(s, k)| line[s] * k).sum();
        }
    }
    let mut out = vec![0.0f32; dw * dh];
    for (y, taps) in down.iter().enumerate() {
        let dst = &mut out[y * dw..(y + 1) * dw];
        for &(s, k) in taps {
            let row = &rows[s * dw..(s + 1) * dw];
            for (o, v) in dst.iter_mut().zip(row) {
                *o += v * k;
            }
        }
    }
    out
}
