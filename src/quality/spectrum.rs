//! Power spectra of images and the radially averaged log spectrum of a set.
//!
//! Each channel has its mean taken away and is multiplied by a 2-D Hann window before the FFT:
//! without the window, the jump between opposite borders of a non-periodic image puts a bright
//! cross along both frequency axes, exactly where the stride-2 lattice frequencies lie. The power
//! is divided by the window's energy, so white noise of variance σ² has power σ² at every
//! frequency. An image's spectrum is the mean of its channels' spectra. The FFT runs in f64: the
//! rounding of an f32 FFT is not white (it gathers at multiples of N/4), and smooth images fall
//! below it at high frequencies.
//!
//! Two sets are compared by the mean absolute difference, over ring radii 1 to `size / 2`, of
//! their mean log10 ring powers, reported in decibels (10 × log10): 3 dB is a factor of two in
//! power. Blur shows as missing power at high radii, noise as extra power.

use std::sync::Arc;

use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};

use super::CHANNELS;

/// Power that counts as none, so a flat image has a finite log spectrum.
const POWER_FLOOR: f64 = 1e-12;

/// The FFT plan and window for one image size.
#[derive(Clone)]
pub struct SpectrumAnalyser {
    size: usize,
    fft: Arc<dyn Fft<f64>>,
    window: Vec<f64>,
    window_energy: f64,
}

impl SpectrumAnalyser {
    pub fn new(size: usize) -> Self {
        assert!(size >= 2, "a spectrum needs at least 2×2 pixels");
        let hann: Vec<f64> = (0..size)
            .map(|i| 0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / size as f64).cos())
            .collect();
        let window: Vec<f64> = hann
            .iter()
            .flat_map(|wy| hann.iter().map(move |wx| wx * wy))
            .collect();
        let window_energy = window.iter().map(|w| w * w).sum();
        Self {
            size,
            fft: FftPlanner::new().plan_fft_forward(size),
            window,
            window_energy,
        }
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// The power spectrum of a `3 × size × size` image: `size²` values, row-major by vertical then
    /// horizontal frequency index, zero frequency at index 0 (index `i` is frequency
    /// [`frequency`]`(i, size)`).
    pub fn power(&self, image: &[f32]) -> Vec<f32> {
        let area = self.size * self.size;
        assert_eq!(
            image.len(),
            CHANNELS * area,
            "image is not 3×{}²",
            self.size
        );
        let mut power = vec![0f64; area];
        for plane in image.chunks_exact(area) {
            let mean = plane.iter().map(|&v| v as f64).sum::<f64>() / area as f64;
            let mut buffer: Vec<Complex<f64>> = plane
                .iter()
                .zip(&self.window)
                .map(|(&v, w)| Complex::new((v as f64 - mean) * w, 0.0))
                .collect();
            self.fft_2d(&mut buffer);
            for (p, z) in power.iter_mut().zip(&buffer) {
                *p += z.norm_sqr();
            }
        }
        let scale = CHANNELS as f64 * self.window_energy;
        power.into_iter().map(|p| (p / scale) as f32).collect()
    }

    fn fft_2d(&self, buffer: &mut [Complex<f64>]) {
        // Rows, then columns (as rows of the transpose), then back.
        self.fft.process(buffer);
        transpose_square(buffer, self.size);
        self.fft.process(buffer);
        transpose_square(buffer, self.size);
    }
}

fn transpose_square<T>(data: &mut [T], size: usize) {
    for y in 0..size {
        for x in y + 1..size {
            data.swap(y * size + x, x * size + y);
        }
    }
}

/// The signed frequency of FFT index `i`: 0, 1, …, size/2 - 1, then -size/2, …, -1.
pub fn frequency(i: usize, size: usize) -> isize {
    if i < size.div_ceil(2) {
        i as isize
    } else {
        i as isize - size as isize
    }
}

/// The ring a frequency index pair falls in: its distance from zero frequency, rounded.
pub fn ring(fy: usize, fx: usize, size: usize) -> usize {
    let (v, u) = (frequency(fy, size) as f64, frequency(fx, size) as f64);
    (v * v + u * u).sqrt().round() as usize
}

/// Mean power per ring, for radii 0 to `size / 2` (the rings that fit inside the square).
pub fn radial_profile(power: &[f32], size: usize) -> Vec<f64> {
    let rings = size / 2 + 1;
    let mut sums = vec![(0f64, 0usize); rings];
    for fy in 0..size {
        for fx in 0..size {
            let r = ring(fy, fx, size);
            if r < rings {
                sums[r].0 += power[fy * size + fx] as f64;
                sums[r].1 += 1;
            }
        }
    }
    sums.into_iter()
        .map(|(sum, n)| sum / n.max(1) as f64)
        .collect()
}

/// The mean over a set of each image's log10 ring power, for radii 1 to `size / 2` (element 0
/// is radius 1).
pub fn mean_log_profile<T: AsRef<[f32]>>(images: &[T], analyser: &SpectrumAnalyser) -> Vec<f64> {
    assert!(!images.is_empty(), "an empty set has no spectrum");
    let size = analyser.size();
    let mut total = vec![0f64; size / 2];
    for image in images {
        let profile = radial_profile(&analyser.power(image.as_ref()), size);
        for (sum, p) in total.iter_mut().zip(&profile[1..]) {
            *sum += (p + POWER_FLOOR).log10();
        }
    }
    total.into_iter().map(|t| t / images.len() as f64).collect()
}

/// Mean absolute difference, in dB, between two mean log profiles.
pub fn profile_distance_db(a: &[f64], b: &[f64]) -> f32 {
    assert_eq!(a.len(), b.len(), "profiles of different sizes");
    let sum: f64 = a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum();
    (10.0 * sum / a.len().max(1) as f64) as f32
}

/// The distance, in dB, between the radially averaged power spectra of two sets.
pub fn spectrum_distance<A: AsRef<[f32]>, B: AsRef<[f32]>>(a: &[A], b: &[B], size: usize) -> f32 {
    let analyser = SpectrumAnalyser::new(size);
    profile_distance_db(
        &mean_log_profile(a, &analyser),
        &mean_log_profile(b, &analyser),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::testing::{blurred, dead_leaves_set, white_noise, with_noise};

    #[test]
    fn white_noise_has_a_flat_spectrum_at_its_variance() {
        let sigma = 0.3f64;
        let set: Vec<_> = (0..8)
            .map(|seed| white_noise(seed, 64, sigma as f32))
            .collect();
        let analyser = SpectrumAnalyser::new(64);
        let profile = mean_log_profile(&set, &analyser);
        let expected = (sigma * sigma).log10();
        // Radius 1 borders the removed mean; above it, every ring is within 0.1 decade.
        for (r, p) in profile.iter().enumerate().skip(1) {
            assert!(
                (p - expected).abs() < 0.1,
                "radius {}: {p} vs {expected}",
                r + 1
            );
        }
    }

    #[test]
    fn a_single_frequency_lands_on_its_ring() {
        let size = 32;
        let area = size * size;
        let wave: Vec<f32> = (0..CHANNELS * area)
            .map(|i| (std::f32::consts::TAU * 5.0 * ((i % area) % size) as f32 / size as f32).cos())
            .collect();
        let profile = radial_profile(&SpectrumAnalyser::new(size).power(&wave), size);
        let loudest = (0..profile.len()).max_by(|&a, &b| profile[a].total_cmp(&profile[b]));
        assert_eq!(loudest, Some(5));
    }

    #[test]
    fn identical_sets_are_at_zero_and_blur_is_farther_than_slight_noise() {
        let sharp = dead_leaves_set(0, 6, 64);
        assert_eq!(spectrum_distance(&sharp, &sharp, 64), 0.0);
        let blurry: Vec<_> = sharp.iter().map(|i| blurred(i, 64, 2)).collect();
        let noisy: Vec<_> = sharp
            .iter()
            .enumerate()
            .map(|(s, i)| with_noise(i, 0.02, s as u64))
            .collect();
        let others = dead_leaves_set(100, 6, 64);
        for reference in [&sharp, &others] {
            let to_blurry = spectrum_distance(reference, &blurry, 64);
            let to_noisy = spectrum_distance(reference, &noisy, 64);
            assert!(
                to_blurry > 2.0 * to_noisy,
                "blurred {to_blurry} dB vs noisy {to_noisy} dB"
            );
        }
    }

    #[test]
    fn a_flat_image_has_a_finite_spectrum() {
        let flat = vec![vec![0.5f32; CHANNELS * 16 * 16]];
        let profile = mean_log_profile(&flat, &SpectrumAnalyser::new(16));
        assert!(profile.iter().all(|p| p.is_finite()));
    }
}
