//! Laplacian pyramids (Burt and Adelson 1983): each level keeps the detail lost when the image is
//! halved, the last level is the small blurred image itself. The 5-tap binomial kernel
//! `[1 4 6 4 1] / 16` is the Gaussian that Karras et al. use for their sliced Wasserstein distance.
//!
//! Planes are square, row-major; images are `channels × size × size`. Borders are mirrored
//! (without repeating the edge pixel), so a flat image stays flat at every level.

const KERNEL: [f32; 5] = [1.0 / 16.0, 4.0 / 16.0, 6.0 / 16.0, 4.0 / 16.0, 1.0 / 16.0];

/// One level of a pyramid: `channels × size × size` floats.
#[derive(Clone, Debug, PartialEq)]
pub struct Level {
    pub size: usize,
    pub data: Vec<f32>,
}

/// The index `i` mirrored into `0..n` about the edge pixels: -1 → 1, n → n - 2.
fn mirror(i: isize, n: usize) -> usize {
    let n = n as isize;
    let reflected = if i < 0 {
        -i
    } else if i >= n {
        2 * (n - 1) - i
    } else {
        i
    };
    reflected.clamp(0, n - 1) as usize
}

fn transpose(plane: &[f32], width: usize, height: usize) -> Vec<f32> {
    let mut out = vec![0.0; plane.len()];
    for y in 0..height {
        for x in 0..width {
            out[x * height + y] = plane[y * width + x];
        }
    }
    out
}

/// Applies a 1-D operation (a line in, a line out) to every row and then to every column of a
/// square plane; returns the result and its new side.
fn separable(
    plane: &[f32],
    size: usize,
    line_op: impl Fn(&[f32]) -> Vec<f32>,
) -> (Vec<f32>, usize) {
    let rows: Vec<f32> = plane.chunks_exact(size).flat_map(&line_op).collect();
    let new_size = rows.len() / size;
    let columns = transpose(&rows, new_size, size);
    let done: Vec<f32> = columns.chunks_exact(size).flat_map(&line_op).collect();
    (transpose(&done, new_size, new_size), new_size)
}

fn blur_line(line: &[f32]) -> Vec<f32> {
    let n = line.len();
    (0..n as isize)
        .map(|i| {
            KERNEL
                .iter()
                .enumerate()
                .map(|(k, w)| w * line[mirror(i + k as isize - 2, n)])
                .sum()
        })
        .collect()
}

fn downsample_line(line: &[f32]) -> Vec<f32> {
    blur_line(line).into_iter().step_by(2).collect()
}

/// Zeros between the samples, blurred and doubled: in polyphase form, even outputs are
/// `(x[i-1] + 6 x[i] + x[i+1]) / 8`, odd ones `(x[i] + x[i+1]) / 2`.
fn upsample_line(line: &[f32]) -> Vec<f32> {
    let n = line.len();
    let at = |i: isize| line[mirror(i, n)];
    (0..n as isize)
        .flat_map(|i| {
            [
                (at(i - 1) + 6.0 * at(i) + at(i + 1)) / 8.0,
                (at(i) + at(i + 1)) / 2.0,
            ]
        })
        .collect()
}

/// A square plane blurred by the binomial kernel.
pub fn blur(plane: &[f32], size: usize) -> Vec<f32> {
    separable(plane, size, blur_line).0
}

/// Blurred, then every second pixel: `size` → `size / 2` (`size` even).
pub fn downsample(plane: &[f32], size: usize) -> Vec<f32> {
    separable(plane, size, downsample_line).0
}

/// Twice the size, interpolated by the same kernel: `size` → `2 size`.
pub fn upsample(plane: &[f32], size: usize) -> Vec<f32> {
    separable(plane, size, upsample_line).0
}

/// The sides of the levels of a pyramid of a `size²` image, halving while the result is whole and
/// at least `min_size`: 128 with 16 gives 128, 64, 32, 16.
pub fn level_sizes(size: usize, min_size: usize) -> Vec<usize> {
    let mut sizes = vec![size];
    let mut side = size;
    while side.is_multiple_of(2) && side / 2 >= min_size.max(1) {
        side /= 2;
        sizes.push(side);
    }
    sizes
}

/// The Laplacian pyramid of a `channels × size × size` image, finest level first; the levels'
/// sides are [`level_sizes`]. Adding each level to the upsampled next one, coarsest first, gives
/// the image back.
pub fn laplacian_pyramid(
    image: &[f32],
    channels: usize,
    size: usize,
    min_size: usize,
) -> Vec<Level> {
    assert_eq!(
        image.len(),
        channels * size * size,
        "image is not {channels}×{size}²"
    );
    let sizes = level_sizes(size, min_size);
    let mut levels = Vec::with_capacity(sizes.len());
    let mut current = image.to_vec();
    for window in sizes.windows(2) {
        let (side, half) = (window[0], window[1]);
        let mut detail = Vec::with_capacity(current.len());
        let mut smaller = Vec::with_capacity(channels * half * half);
        for plane in current.chunks_exact(side * side) {
            let low = downsample(plane, side);
            let back = upsample(&low, half);
            detail.extend(plane.iter().zip(&back).map(|(x, b)| x - b));
            smaller.extend(low);
        }
        levels.push(Level {
            size: side,
            data: detail,
        });
        current = smaller;
    }
    levels.push(Level {
        size: *sizes.last().unwrap(),
        data: current,
    });
    levels
}

/// The image a pyramid came from (the inverse of [`laplacian_pyramid`]).
pub fn collapse(levels: &[Level], channels: usize) -> Vec<f32> {
    let (coarsest, finer) = levels.split_last().expect("a pyramid has levels");
    let mut image = coarsest.data.clone();
    let mut side = coarsest.size;
    for level in finer.iter().rev() {
        let area = side * side;
        image = (0..channels)
            .flat_map(|c| upsample(&image[c * area..(c + 1) * area], side))
            .zip(&level.data)
            .map(|(up, detail)| up + detail)
            .collect();
        side = level.size;
    }
    image
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::testing::dead_leaves;

    #[test]
    fn levels_halve_down_to_the_smallest_size() {
        assert_eq!(level_sizes(128, 16), vec![128, 64, 32, 16]);
        assert_eq!(level_sizes(256, 16), vec![256, 128, 64, 32, 16]);
        assert_eq!(level_sizes(48, 16), vec![48, 24]);
        assert_eq!(level_sizes(12, 16), vec![12]);
    }

    #[test]
    fn a_flat_image_stays_flat_and_has_no_detail() {
        let image = vec![0.25; 3 * 32 * 32];
        let levels = laplacian_pyramid(&image, 3, 32, 8);
        assert_eq!(levels.len(), 3);
        for level in &levels[..2] {
            assert!(level.data.iter().all(|v| v.abs() < 1e-6));
        }
        assert!(levels[2].data.iter().all(|v| (v - 0.25).abs() < 1e-6));
        assert_eq!(levels[2].data.len(), 3 * 8 * 8);
    }

    #[test]
    fn collapsing_the_pyramid_gives_the_image_back() {
        let image = dead_leaves(7, 64);
        let levels = laplacian_pyramid(&image, 3, 64, 16);
        let back = collapse(&levels, 3);
        let worst = image
            .iter()
            .zip(&back)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(worst < 1e-5, "{worst}");
    }

    #[test]
    fn a_checkerboard_is_pure_finest_detail() {
        let size = 16;
        let plane: Vec<f32> = (0..size * size)
            .map(|i| {
                if (i / size + i % size) % 2 == 0 {
                    1.0
                } else {
                    -1.0
                }
            })
            .collect();
        // The binomial kernel's response at the Nyquist frequency is zero.
        assert!(blur(&plane, size).iter().all(|v| v.abs() < 1e-6));
        assert!(downsample(&plane, size).iter().all(|v| v.abs() < 1e-6));
    }
}
