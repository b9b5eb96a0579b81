//! Small synthetic images with known properties, for the measures' tests.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::pyramid::blur;
use super::CHANNELS;

/// A "dead leaves" image: overlapping flat discs of random colours whose radii follow a power
/// law. Such images share the scale-free statistics of photographs (a power spectrum close to
/// 1/f²) and have no periodic structure.
pub fn dead_leaves(seed: u64, size: usize) -> Vec<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    let area = size * size;
    let mut image = vec![0f32; CHANNELS * area];
    let (smallest, largest) = (1.0f32, size as f32 / 3.0);
    for _ in 0..size * 6 {
        let u: f32 = rng.random_range(0.02..1.0);
        let radius = (smallest / u).min(largest);
        let (cx, cy) = (
            rng.random_range(0.0..size as f32),
            rng.random_range(0.0..size as f32),
        );
        let colour: [f32; CHANNELS] = std::array::from_fn(|_| rng.random_range(-0.9..0.9));
        let (y0, y1) = (
            (cy - radius).max(0.0) as usize,
            ((cy + radius) as usize + 1).min(size),
        );
        let (x0, x1) = (
            (cx - radius).max(0.0) as usize,
            ((cx + radius) as usize + 1).min(size),
        );
        for y in y0..y1 {
            for x in x0..x1 {
                let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
                if dx * dx + dy * dy <= radius * radius {
                    for (c, value) in colour.iter().enumerate() {
                        image[c * area + y * size + x] = *value;
                    }
                }
            }
        }
    }
    image
}

/// `count` dead-leaves images, seeds `first..first + count`.
pub fn dead_leaves_set(first: u64, count: usize, size: usize) -> Vec<Vec<f32>> {
    (first..first + count as u64)
        .map(|seed| dead_leaves(seed, size))
        .collect()
}

/// Each channel blurred `times` times by the pyramid's binomial kernel.
pub fn blurred(image: &[f32], size: usize, times: usize) -> Vec<f32> {
    image
        .chunks_exact(size * size)
        .flat_map(|plane| (0..times).fold(plane.to_vec(), |p, _| blur(&p, size)))
        .collect()
}

/// Gaussian noise of deviation `sigma` (Box–Muller).
fn gaussian(rng: &mut StdRng, sigma: f32) -> f32 {
    let u: f32 = rng.random::<f32>().max(f32::MIN_POSITIVE);
    let v: f32 = rng.random();
    sigma * (-2.0 * u.ln()).sqrt() * (std::f32::consts::TAU * v).cos()
}

/// The image with independent Gaussian noise added to every value.
pub fn with_noise(image: &[f32], sigma: f32, seed: u64) -> Vec<f32> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0xa11ce);
    image
        .iter()
        .map(|v| v + gaussian(&mut rng, sigma))
        .collect()
}

/// A `3 × size × size` image of white Gaussian noise.
pub fn white_noise(seed: u64, size: usize, sigma: f32) -> Vec<f32> {
    with_noise(&vec![0.0; CHANNELS * size * size], sigma, seed)
}
