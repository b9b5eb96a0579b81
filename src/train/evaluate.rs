//! Held-out check: the model's L1 on targets it never saw, against a trivial baseline (the
//! look's grey, tinted with the training set's mean colour). A model that cannot beat the
//! baseline has learned nothing worth shipping.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use image::RgbImage;

use super::data::read_target;
use crate::infer::{Cpu, Inference};
use crate::look::resample::resize;
use crate::look::LUMA;
use crate::model::package::Evaluation;
use crate::model::ModelPackage;

/// Mean RGB in [0, 1] over (up to `limit`) images.
pub fn mean_colour(paths: &[PathBuf], limit: usize) -> [f32; 3] {
    let mut sum = [0f64; 3];
    let mut count = 0f64;
    for path in paths.iter().take(limit) {
        let Ok(image) = read_target(path, 1) else {
            continue;
        };
        for pixel in image.pixels() {
            for (total, value) in sum.iter_mut().zip(pixel.0) {
                *total += value as f64 / 255.0;
            }
            count += 1.0;
        }
    }
    let count = count.max(1.0);
    [
        (sum[0] / count) as f32,
        (sum[1] / count) as f32,
        (sum[2] / count) as f32,
    ]
}

/// The centre square of `image` at `size`², as `[3, size, size]` in [-1, 1].
fn target_planes(image: &RgbImage, size: usize) -> Vec<f32> {
    let (width, height) = image.dimensions();
    let side = width.min(height);
    let (x0, y0) = ((width - side) / 2, (height - side) / 2);
    let mut planes = Vec::with_capacity(3 * size * size);
    for c in 0..3 {
        let plane: Vec<f32> = (y0..y0 + side)
            .flat_map(|y| (x0..x0 + side).map(move |x| (y, x)))
            .map(|(y, x)| image.get_pixel(x, y).0[c] as f32 / 255.0)
            .collect();
        let side = side as usize;
        planes.extend(
            resize(&plane, side, side, size, size)
                .into_iter()
                .map(|v| v.clamp(0.0, 1.0) * 2.0 - 1.0),
        );
    }
    planes
}

/// The baseline's guess: grey tinted so that mid-grey becomes the mean colour's hue.
pub fn baseline(look: &[f32], mean: [f32; 3]) -> Vec<f32> {
    let grey = (LUMA[0] * mean[0] + LUMA[1] * mean[1] + LUMA[2] * mean[2]).max(1e-3);
    let mut out = Vec::with_capacity(look.len() * 3);
    for tint in mean.map(|m| m / grey) {
        out.extend(
            look.iter()
                .map(|&v| (((v + 1.0) / 2.0) * tint).clamp(0.0, 1.0) * 2.0 - 1.0),
        );
    }
    out
}

pub fn evaluate(
    package: &ModelPackage,
    heldout: &Path,
    mean: [f32; 3],
    size: usize,
) -> Result<Evaluation> {
    let paths = super::data::scan_images(heldout)?;
    if paths.is_empty() {
        bail!("no held-out images under {}", heldout.display());
    }
    let inference = Inference::<Cpu>::from_package(package, Default::default())?;
    let look = package.meta.look;
    let (mut model_sum, mut baseline_sum, mut images) = (0f64, 0f64, 0usize);
    for path in &paths {
        let image = read_target(path, 8)?;
        let target = target_planes(&image, size);
        let input = look.apply(&image, size)?;
        let output = inference.run(&input, size)?;
        let guess = baseline(&input, mean);
        let l1 = |a: &[f32]| {
            a.iter()
                .zip(&target)
                .map(|(x, y)| (x - y).abs() as f64)
                .sum::<f64>()
                / target.len() as f64
        };
        model_sum += l1(&output);
        baseline_sum += l1(&guess);
        images += 1;
    }
    Ok(Evaluation {
        images,
        size,
        model_l1: (model_sum / images as f64) as f32,
        baseline_l1: (baseline_sum / images as f64) as f32,
        mean_colour: mean,
    })
}
