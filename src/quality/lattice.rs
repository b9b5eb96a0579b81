//! The checkerboard lattice that transposed convolutions leave (Odena et al. 2016,
//! "Deconvolution and Checkerboard Artifacts"): a stride-2 layer whose kernel taps do not overlap
//! evenly repeats a pattern every 2 output pixels, the layer before it every 4, and so on. A
//! pattern repeating every `P` pixels has its power at frequencies that are multiples of
//! `size / P` on both axes: for `P = 2`, (N/2, 0), (0, N/2) and (N/2, N/2); for `P = 4`, the
//! multiples of N/4 not already counted; and so on up to a longest period.
//!
//! The figure for one period is the mean, over its lattice frequencies, of the power there divided
//! by the mean power of the other frequencies at the same radius (a ring, widened until it holds
//! enough of them). A natural image has no reason to be louder on the lattice than around it, so
//! it scores about 1; a visible grid of dots scores far above 1. A set's figure is the mean over
//! its images, per period; its headline is the largest period figure.
//!
//! Frequencies near either axis are left out, lattice and reference alike: straight horizontal and
//! vertical edges (walls, horizons) and images upscaled one axis at a time (the look) pile power
//! along the axes that is no lattice. A grid of dots, or a checkerboard, has its power off the
//! axes too, so it still shows; pure stripes would not.

use super::spectrum::{frequency, SpectrumAnalyser};

/// A ring is widened until it holds this many reference frequencies.
const MIN_REFERENCE: usize = 16;

/// The power per frequency of 8-bit rounding in [-1, 1] (white noise of variance q²/12 with
/// q = 2/255). A lattice fainter than this cannot be seen on a screen, so no reference is taken
/// below it: where a smooth image has almost no power, tiny leaks would otherwise look like peaks.
const QUANTISATION_POWER: f64 = (2.0 / 255.0) * (2.0 / 255.0) / 12.0;

/// Which periods are looked for.
#[derive(Clone, Debug, PartialEq)]
pub struct LatticeConfig {
    /// The longest period, in pixels (a power of two). The decoder of a U-Net 128 has stride-2
    /// layers at every scale; the finer ones print the visible dots.
    pub max_period: usize,
}

impl Default for LatticeConfig {
    fn default() -> Self {
        Self { max_period: 32 }
    }
}

/// Per period (2, 4, …), the mean ratio of lattice power to ring power over a set, and the
/// largest of them.
#[derive(Clone, Debug, PartialEq)]
pub struct Lattice {
    pub periods: Vec<usize>,
    pub ratios: Vec<f32>,
    pub peak: f32,
}

/// The periods looked for in a `size²` image: powers of two up to the configured longest one
/// that divide the size.
pub fn periods(size: usize, config: &LatticeConfig) -> Vec<usize> {
    std::iter::successors(Some(2usize), |p| Some(p * 2))
        .take_while(|&p| p <= config.max_period.min(size))
        .filter(|p| size.is_multiple_of(*p))
        .collect()
}

/// Frequencies closer than this to either axis are left out (see the module notes).
pub fn axis_band(size: usize) -> usize {
    (size / 16).max(1)
}

/// The period whose lattice frequency index pair (`fy`, `fx`) is a new harmonic of, if any:
/// both indices multiples of `size / period`, not both of twice that.
fn period_of(fy: usize, fx: usize, size: usize, periods: &[usize]) -> Option<usize> {
    periods.iter().copied().find(|&p| {
        let step = size / p;
        let coarser = 2 * step;
        fy.is_multiple_of(step)
            && fx.is_multiple_of(step)
            && !(fy.is_multiple_of(coarser) && fx.is_multiple_of(coarser))
    })
}

/// The lattice ratio of each period (in [`periods`] order) in one power spectrum.
pub fn lattice_ratios(power: &[f32], size: usize, config: &LatticeConfig) -> Vec<f32> {
    let periods = periods(size, config);
    let band = axis_band(size) as isize;
    let rings = (size as f64 * std::f64::consts::FRAC_1_SQRT_2).ceil() as usize + 2;
    let mut around = vec![(0f64, 0usize); rings];
    let mut on_lattice = Vec::new();
    for fy in 0..size {
        for fx in 0..size {
            let (v, u) = (frequency(fy, size), frequency(fx, size));
            if v.abs() < band || u.abs() < band {
                continue;
            }
            let radius = ((v * v + u * u) as f64).sqrt();
            let p = power[fy * size + fx] as f64;
            match period_of(fy, fx, size, &periods) {
                Some(period) => on_lattice.push((period, radius, p)),
                None => {
                    let ring = &mut around[radius.round() as usize];
                    ring.0 += p;
                    ring.1 += 1;
                }
            }
        }
    }
    let profile = reference_profile(&around);
    // Below twice the band, rings are mostly cut away by it and too short to judge by.
    let min_radius = 2.0 * band as f64;
    let mut sums = vec![(0f64, 0usize); periods.len()];
    for (period, radius, p) in on_lattice {
        if radius < min_radius {
            continue;
        }
        let Some(reference) = reference_at(&profile, radius) else {
            continue;
        };
        let reference = reference.max(QUANTISATION_POWER);
        let slot = periods.iter().position(|&q| q == period).unwrap();
        sums[slot].0 += p / reference;
        sums[slot].1 += 1;
    }
    sums.into_iter()
        .map(|(sum, n)| if n == 0 { 1.0 } else { (sum / n as f64) as f32 })
        .collect()
}

/// The mean power of each ring, each widened (`ring - k ..= ring + k`, smallest `k`) until it
/// holds [`MIN_REFERENCE`] frequencies; `None` where no power is found.
fn reference_profile(rings: &[(f64, usize)]) -> Vec<Option<f64>> {
    (0..rings.len())
        .map(|ring| {
            (0..rings.len()).find_map(|k| {
                let span = ring.saturating_sub(k)..(ring + k + 1).min(rings.len());
                let (sum, count) = rings[span]
                    .iter()
                    .fold((0f64, 0usize), |(s, n), (ps, pn)| (s + ps, n + pn));
                (count >= MIN_REFERENCE).then_some(sum / count as f64)
            })
        })
        .map(|mean| mean.filter(|m| *m > 0.0))
        .collect()
}

/// The reference power at `radius`: interpolated between the two nearest rings on a log scale,
/// since spectra fall steeply and a ring spans a whole unit of radius.
fn reference_at(profile: &[Option<f64>], radius: f64) -> Option<f64> {
    let below = radius.floor() as usize;
    let (low, high) = (
        profile.get(below)?.as_ref()?,
        profile.get(below + 1)?.as_ref()?,
    );
    let t = radius - below as f64;
    Some((low.ln() * (1.0 - t) + high.ln() * t).exp())
}

/// The lattice figures of a set of `3 × size × size` images.
pub fn lattice<T: AsRef<[f32]>>(images: &[T], size: usize, config: &LatticeConfig) -> Lattice {
    assert!(!images.is_empty(), "an empty set has no lattice");
    let analyser = SpectrumAnalyser::new(size);
    let periods = periods(size, config);
    let mut totals = vec![0f64; periods.len()];
    for image in images {
        let ratios = lattice_ratios(&analyser.power(image.as_ref()), size, config);
        for (total, ratio) in totals.iter_mut().zip(ratios) {
            *total += ratio as f64;
        }
    }
    let ratios: Vec<f32> = totals
        .into_iter()
        .map(|t| (t / images.len() as f64) as f32)
        .collect();
    Lattice {
        peak: ratios.iter().copied().fold(1.0, f32::max),
        periods,
        ratios,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::testing::{blurred, dead_leaves_set, white_noise};

    /// Adds `amplitude` to every channel at the pixels on a grid of `period`, i.e. a grid of dots.
    fn with_dots(image: &[f32], size: usize, period: usize, amplitude: f32) -> Vec<f32> {
        let area = size * size;
        image
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let (y, x) = ((i % area) / size, i % size);
                if y % period == 0 && x % period == 0 {
                    v + amplitude
                } else {
                    *v
                }
            })
            .collect()
    }

    fn with_checkerboard(image: &[f32], size: usize, amplitude: f32) -> Vec<f32> {
        let area = size * size;
        image
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let (y, x) = ((i % area) / size, i % size);
                v + if (x + y) % 2 == 0 {
                    amplitude
                } else {
                    -amplitude
                }
            })
            .collect()
    }

    #[test]
    fn periods_are_the_powers_of_two_that_fit() {
        assert_eq!(
            periods(128, &LatticeConfig::default()),
            vec![2, 4, 8, 16, 32]
        );
        assert_eq!(periods(16, &LatticeConfig::default()), vec![2, 4, 8, 16]);
        assert_eq!(periods(24, &LatticeConfig { max_period: 8 }), vec![2, 4, 8]);
    }

    #[test]
    fn natural_like_images_and_white_noise_score_about_one() {
        let config = LatticeConfig::default();
        let natural = lattice(&dead_leaves_set(0, 8, 64), 64, &config);
        assert!(natural.peak < 1.6, "{natural:?}");
        let noise: Vec<_> = (0..8).map(|seed| white_noise(seed, 64, 0.2)).collect();
        let noise = lattice(&noise, 64, &config);
        assert!(noise.peak < 1.6, "{noise:?}");
        assert!(noise.ratios.iter().all(|r| *r > 0.6), "{noise:?}");
    }

    /// Photograph-like: dead leaves softened once, as a lens would.
    fn photographs(first: u64, count: usize, size: usize) -> Vec<Vec<f32>> {
        dead_leaves_set(first, count, size)
            .iter()
            .map(|image| blurred(image, size, 1))
            .collect()
    }

    /// Dark, smooth sky: what the cosmos model fills with dots.
    fn dark_sky(first: u64, count: usize, size: usize) -> Vec<Vec<f32>> {
        dead_leaves_set(first, count, size)
            .iter()
            .map(|image| {
                blurred(image, size, 3)
                    .iter()
                    .map(|v| 0.1 * v - 0.85)
                    .collect()
            })
            .collect()
    }

    #[test]
    fn photograph_like_images_score_about_one() {
        let config = LatticeConfig::default();
        for set in [photographs(0, 8, 64), dark_sky(20, 8, 64)] {
            let natural = lattice(&set, 64, &config);
            assert!(natural.peak < 1.6, "{natural:?}");
        }
    }

    #[test]
    fn a_faint_stride_2_checkerboard_is_flagged() {
        let config = LatticeConfig::default();
        let set: Vec<_> = photographs(0, 8, 64)
            .iter()
            .map(|image| with_checkerboard(image, 64, 0.05))
            .collect();
        let flagged = lattice(&set, 64, &config);
        assert!(flagged.ratios[0] > 10.0, "{flagged:?}");
        assert_eq!(flagged.peak, flagged.ratios[0]);
    }

    #[test]
    fn a_sparse_grid_of_dots_in_dark_sky_is_flagged_at_its_period() {
        let config = LatticeConfig::default();
        let set: Vec<_> = dark_sky(0, 8, 64)
            .iter()
            .map(|image| with_dots(image, 64, 16, 1.0))
            .collect();
        let flagged = lattice(&set, 64, &config);
        let at_16 = periods(64, &config).iter().position(|&p| p == 16).unwrap();
        assert!(flagged.ratios[at_16] > 5.0, "{flagged:?}");
        // Dots in only one image of eight still show against the clean sky.
        let clean = lattice(&dark_sky(0, 8, 64), 64, &config);
        let mut one = dark_sky(0, 8, 64);
        one[3] = with_dots(&one[3], 64, 16, 1.0);
        let one = lattice(&one, 64, &config);
        assert!(
            one.ratios[at_16] > 5.0 * clean.ratios[at_16],
            "{one:?} vs {clean:?}"
        );
    }
}
