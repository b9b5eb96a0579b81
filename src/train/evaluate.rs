//! Held-out check: the model's L1 on targets it never saw, against a trivial baseline (the
//! look's grey, tinted with the training set's mean colour). A model that cannot beat the
//! baseline has learned nothing worth shipping.
//!
//! L1 rewards a blurred guess, so the outputs are also compared with real targets as
//! distributions ([`crate::quality`]): on the looks of the held-out targets, and on everyday
//! photographs that are not of the subject (what a camera in a room sees). Every figure stands
//! beside the baseline's and beside real-vs-real, the two halves of the held-out set against each
//! other: the floor that sampling alone leaves.

use std::ops::Range;
use std::path::Path;

use anyhow::{bail, Result};
use image::RgbImage;

use super::data::read_target;
use crate::infer::{Cpu, Inference};
use crate::look::resample::resize;
use crate::look::LUMA;
use crate::model::package::{Compared, Distribution, Evaluation};
use crate::model::ModelPackage;
use crate::quality::lattice::{lattice, LatticeConfig};
use crate::quality::spectrum::{mean_log_profile, profile_distance_db, SpectrumAnalyser};
use crate::quality::swd::{describe, distance, Swd, SwdConfig};

/// Mean RGB in [0, 1] over (up to `limit`) images.
pub fn mean_colour(paths: &[std::path::PathBuf], limit: usize) -> [f32; 3] {
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
pub fn target_planes(image: &RgbImage, size: usize) -> Vec<f32> {
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

/// Everyday photographs (not of the subject) to judge the model on: it should paint them as its
/// subject too.
#[derive(Clone, Debug, Default)]
pub struct Everyday {
    pub images: Vec<RgbImage>,
    /// Where they came from, recorded in model.toml.
    pub source: String,
}

#[derive(Clone, Debug, Default)]
pub struct EvaluationOptions {
    pub everyday: Option<Everyday>,
    pub swd: SwdConfig,
    pub lattice: LatticeConfig,
}

/// L1 and the held-out distribution figures, with the default measures and no everyday set.
pub fn evaluate(
    package: &ModelPackage,
    heldout: &Path,
    mean: [f32; 3],
    size: usize,
) -> Result<Evaluation> {
    evaluate_with(package, heldout, mean, size, &EvaluationOptions::default())
}

/// The model's and the baseline's outputs for a set of inputs.
struct Outputs {
    model: Vec<Vec<f32>>,
    baseline: Vec<Vec<f32>>,
}

fn run_on(
    inference: &Inference<Cpu>,
    package: &ModelPackage,
    images: &[RgbImage],
    mean: [f32; 3],
    size: usize,
) -> Result<Outputs> {
    let mut outputs = Outputs {
        model: Vec::with_capacity(images.len()),
        baseline: Vec::with_capacity(images.len()),
    };
    for image in images {
        let input = package.meta.look.apply(image, size)?;
        outputs.model.push(inference.run(&input, size)?);
        outputs.baseline.push(baseline(&input, mean));
    }
    Ok(outputs)
}

fn mean_l1(produced: &[Vec<f32>], targets: &[Vec<f32>]) -> f32 {
    let per_image = produced.iter().zip(targets).map(|(a, b)| {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs() as f64)
            .sum::<f64>()
            / b.len() as f64
    });
    (per_image.sum::<f64>() / targets.len() as f64) as f32
}

pub fn evaluate_with(
    package: &ModelPackage,
    heldout: &Path,
    mean: [f32; 3],
    size: usize,
    options: &EvaluationOptions,
) -> Result<Evaluation> {
    let paths = super::data::scan_images(heldout)?;
    if paths.is_empty() {
        bail!("no held-out images under {}", heldout.display());
    }
    let inference = Inference::<Cpu>::from_package(package, Default::default())?;
    let images = paths
        .iter()
        .map(|path| read_target(path, 8))
        .collect::<Result<Vec<_>, _>>()?;
    let targets: Vec<Vec<f32>> = images
        .iter()
        .map(|image| target_planes(image, size))
        .collect();
    let outputs = run_on(&inference, package, &images, mean, size)?;
    let mut evaluation = Evaluation {
        images: images.len(),
        size,
        model_l1: mean_l1(&outputs.model, &targets),
        baseline_l1: mean_l1(&outputs.baseline, &targets),
        mean_colour: mean,
        heldout: None,
        everyday: None,
    };
    if targets.len() < 2 {
        return Ok(evaluation);
    }
    let judge = Judge::new(&targets, size, options);
    evaluation.heldout = Some(judge.distribution(
        &outputs,
        Pairing::OtherHalf,
        format!("looks of {}", heldout.display()),
    ));
    if let Some(everyday) = options.everyday.as_ref().filter(|e| !e.images.is_empty()) {
        let outputs = run_on(&inference, package, &everyday.images, mean, size)?;
        evaluation.everyday =
            Some(judge.distribution(&outputs, Pairing::Groups, everyday.source.clone()));
    }
    Ok(evaluation)
}

/// Which real targets a set of outputs is compared with. Every comparison pits a set of half
/// the held-out count against one half of the targets, as real-vs-real does: the distances
/// between small sets carry a bias that shrinks with their size, so only sets of equal sizes
/// compare fairly with the floor.
enum Pairing {
    /// Outputs made from the first half of the held-out set against the second half's targets and
    /// the other way round (averaged): never an output against its own target.
    OtherHalf,
    /// Outputs of inputs that have no target (everyday photographs): in groups of a half's size
    /// (the last one filled up from the start), each against each half of the targets, averaged.
    Groups,
}
/// The real held-out targets, split in halves, and the measures' settings.
struct Judge<'a> {
    targets: &'a [Vec<f32>],
    halves: [Range<usize>; 2],
    size: usize,
    options: &'a EvaluationOptions,
    analyser: SpectrumAnalyser,
}

/// The two distances between two sets.
struct Distances {
    swd: Swd,
    spectrum_db: f32,
}

impl Distances {
    fn average(all: Vec<Self>) -> Self {
        let n = all.len() as f32;
        let levels = all[0].swd.levels.len();
        Self {
            swd: Swd {
                level_sizes: all[0].swd.level_sizes.clone(),
                levels: (0..levels)
                    .map(|l| all.iter().map(|d| d.swd.levels[l]).sum::<f32>() / n)
                    .collect(),
                mean: all.iter().map(|d| d.swd.mean).sum::<f32>() / n,
            },
            spectrum_db: all.iter().map(|d| d.spectrum_db).sum::<f32>() / n,
        }
    }
}

impl<'a> Judge<'a> {
    fn new(targets: &'a [Vec<f32>], size: usize, options: &'a EvaluationOptions) -> Self {
        let middle = targets.len() / 2;
        Self {
            targets,
            halves: [0..middle, middle..targets.len()],
            size,
            options,
            analyser: SpectrumAnalyser::new(size),
        }
    }

    fn distances(&self, a: &[Vec<f32>], b: &[Vec<f32>]) -> Distances {
        let config = &self.options.swd;
        let swd = distance(
            &describe(a, self.size, config),
            &describe(b, self.size, config),
            config,
        );
        let spectrum_db = profile_distance_db(
            &mean_log_profile(a, &self.analyser),
            &mean_log_profile(b, &self.analyser),
        );
        Distances { swd, spectrum_db }
    }

    fn to_targets(&self, produced: &[Vec<f32>], pairing: &Pairing) -> Distances {
        match pairing {
            Pairing::OtherHalf => {
                let [first, second] = self.halves.clone();
                Distances::average(vec![
                    self.distances(&produced[first.clone()], &self.targets[second.clone()]),
                    self.distances(&produced[second], &self.targets[first]),
                ])
            }
            Pairing::Groups => {
                let group = self.halves[0].len().max(1);
                let groups = produced.len().div_ceil(group);
                let mut all = Vec::new();
                for g in 0..groups {
                    let members: Vec<Vec<f32>> = (0..group)
                        .map(|i| produced[(g * group + i) % produced.len()].clone())
                        .collect();
                    for half in self.halves.clone() {
                        all.push(self.distances(&members, &self.targets[half]));
                    }
                }
                Distances::average(all)
            }
        }
    }

    fn distribution(&self, outputs: &Outputs, pairing: Pairing, source: String) -> Distribution {
        let [first, second] = self.halves.clone();
        let real = self.distances(&self.targets[first], &self.targets[second]);
        let model = self.to_targets(&outputs.model, &pairing);
        let baseline = self.to_targets(&outputs.baseline, &pairing);
        let lattices = [&outputs.model[..], &outputs.baseline[..], self.targets]
            .map(|set| lattice(set, self.size, &self.options.lattice));
        // Two decimals: more would be noise (a different seed moves them), and model.toml stays readable.
        let rounded = |x: f32| (x * 100.0).round() / 100.0;
        let compared = |m: f32, b: f32, r: f32| Compared {
            model: rounded(m),
            baseline: rounded(b),
            real: rounded(r),
        };
        Distribution {
            images: outputs.model.len(),
            source,
            swd: compared(model.swd.mean, baseline.swd.mean, real.swd.mean),
            spectrum_db: compared(model.spectrum_db, baseline.spectrum_db, real.spectrum_db),
            lattice: compared(lattices[0].peak, lattices[1].peak, lattices[2].peak),
            swd_levels: (0..real.swd.levels.len())
                .map(|l| {
                    compared(
                        model.swd.levels[l],
                        baseline.swd.levels[l],
                        real.swd.levels[l],
                    )
                })
                .collect(),
            swd_level_sizes: real.swd.level_sizes,
            lattice_by_period: (0..lattices[0].ratios.len())
                .map(|p| {
                    compared(
                        lattices[0].ratios[p],
                        lattices[1].ratios[p],
                        lattices[2].ratios[p],
                    )
                })
                .collect(),
            lattice_periods: lattices[0].periods.clone(),
        }
    }
}
