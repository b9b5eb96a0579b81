//! A model is a directory: `model.toml` (what it is, how it was made, the look it expects) and
//! `weights.safetensors` (PyTorch key names, f16 or f32).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

use super::generator::{Arch, Generator, GeneratorConfig};
use super::state_dict::StateDict;
use super::weights::{load_safetensors, save_safetensors, Precision};
use crate::atomic::write_atomic;
use crate::look::Look;

pub const META_FILE: &str = "model.toml";
pub const WEIGHTS_FILE: &str = "weights.safetensors";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ModelMeta {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub generator: GeneratorConfig,
    /// The square size it was trained at; it runs at any multiple of the arch's granularity.
    pub resolution: usize,
    pub precision: Precision,
    /// The look it was trained with (live starts from it).
    #[serde(default)]
    pub look: Look,
    #[serde(default)]
    pub dataset: Option<DatasetInfo>,
    #[serde(default)]
    pub training: Option<TrainingInfo>,
    #[serde(default)]
    pub evaluation: Option<Evaluation>,
    /// How the file came to be: the command that trained or imported it.
    #[serde(default)]
    pub made_by: String,
    #[serde(default)]
    pub credits: String,
}

impl ModelMeta {
    /// This model's whole history as earlier runs, for a run that starts from it.
    pub fn history(&self) -> Vec<EarlierRun> {
        let Some(training) = &self.training else {
            return vec![EarlierRun {
                made_by: self.made_by.clone(),
                ..EarlierRun::default()
            }];
        };
        let before: u64 = training.earlier.iter().map(|run| run.steps).sum();
        let mut runs = training.earlier.clone();
        runs.push(EarlierRun {
            made_by: self.made_by.clone(),
            steps: training.steps.saturating_sub(before),
            date: training.date.clone(),
        });
        runs
    }

    /// Refuses what no trained generator has (and what would take all memory to build): the
    /// weights themselves are checked against the shapes when they load.
    pub fn validate(&self) -> Result<()> {
        let generator = &self.generator;
        if !(1..=256).contains(&generator.ngf) {
            bail!(
                "generator width ngf must be 1 to 256, got {}",
                generator.ngf
            );
        }
        if !(1..=4).contains(&generator.input_nc) || !(1..=4).contains(&generator.output_nc) {
            bail!(
                "the generator takes 1 to 4 channels in and out, got {} and {}",
                generator.input_nc,
                generator.output_nc
            );
        }
        match generator.arch {
            Arch::Unet { levels } if !(5..=12).contains(&levels) => {
                bail!("a U-Net has 5 to 12 levels, got {levels}")
            }
            Arch::Resnet { blocks } if !(1..=64).contains(&blocks) => {
                bail!("a ResNet has 1 to 64 blocks, got {blocks}")
            }
            _ => {}
        }
        let granularity = generator.arch.granularity();
        if self.resolution == 0
            || self.resolution > 8192
            || !self.resolution.is_multiple_of(granularity)
        {
            bail!(
                "resolution {} is not a multiple of {granularity} up to 8192",
                self.resolution
            );
        }
        self.look.validate()?;
        Ok(())
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DatasetInfo {
    pub name: String,
    pub images: usize,
    #[serde(default)]
    pub source: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct TrainingInfo {
    /// Every optimiser step the generator has had, earlier runs included.
    pub steps: u64,
    pub epochs: f64,
    pub batch: usize,
    pub ndf: usize,
    pub date: String,
    /// The runs before the last one (`lts train --init-from`), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub earlier: Vec<EarlierRun>,
}

/// One run of a model's history: the command (`made_by`) and the steps it added.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EarlierRun {
    pub made_by: String,
    pub steps: u64,
    pub date: String,
}

/// Held-out L1 of the model against a trivial baseline (the grey look tinted with the dataset's
/// mean colour), both on targets it never trained on; and, where measured, distribution figures
/// that reward looking like the subject rather than blur.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Evaluation {
    pub images: usize,
    pub size: usize,
    pub model_l1: f32,
    pub baseline_l1: f32,
    /// The training set's mean RGB in [0, 1]: the baseline's tint.
    pub mean_colour: [f32; 3],
    /// Outputs on the looks of held-out targets, against the other held-out targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heldout: Option<Distribution>,
    /// Outputs on everyday photographs (not of the subject), against the held-out targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub everyday: Option<Distribution>,
}

/// One figure measured three ways: on the model's outputs, on the tinted-grey baseline's, and on
/// real held-out targets (for distances: one half of them against the other, the floor a perfect
/// model would reach).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Compared {
    pub model: f32,
    pub baseline: f32,
    pub real: f32,
}

/// How much a set of outputs looks like the real held-out targets, as distributions
/// (see [`crate::quality`]). Lower distances are better; a lattice ratio near 1 is clean.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Distribution {
    /// Inputs the model and the baseline ran on.
    pub images: usize,
    /// Where they came from.
    #[serde(default)]
    pub source: String,
    /// Multi-scale sliced Wasserstein distance ×1000 (Karras et al. 2018), mean over levels.
    pub swd: Compared,
    /// Radially averaged power spectra: mean |difference| of the log spectra, in dB.
    pub spectrum_db: Compared,
    /// Checkerboard lattice: the largest, over periods, of the power on the stride-2 lattice
    /// frequencies over the ring average (about 1 for real images; far above, a grid of dots).
    pub lattice: Compared,
    /// Sides of the pyramid levels, finest first.
    #[serde(default)]
    pub swd_level_sizes: Vec<usize>,
    /// Lattice periods in pixels.
    #[serde(default)]
    pub lattice_periods: Vec<usize>,
    /// The SWD per level.
    #[serde(default)]
    pub swd_levels: Vec<Compared>,
    /// The lattice ratio per period.
    #[serde(default)]
    pub lattice_by_period: Vec<Compared>,
}

#[derive(Clone, Debug)]
pub struct ModelPackage {
    pub dir: PathBuf,
    pub meta: ModelMeta,
}

impl ModelPackage {
    pub fn open(dir: &Path) -> Result<Self> {
        let meta_path = dir.join(META_FILE);
        let text = std::fs::read_to_string(&meta_path).with_context(|| {
            format!(
                "{} is not a model directory (no readable {META_FILE})",
                dir.display()
            )
        })?;
        let meta: ModelMeta = toml::from_str(&text)
            .with_context(|| format!("{} is not valid", meta_path.display()))?;
        meta.validate()
            .with_context(|| format!("{} is not valid", meta_path.display()))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            meta,
        })
    }

    pub fn weights_path(&self) -> PathBuf {
        self.dir.join(WEIGHTS_FILE)
    }

    pub fn weights(&self) -> Result<StateDict> {
        load_safetensors(&self.weights_path())
    }

    pub fn load<B: Backend>(&self, device: &B::Device) -> Result<Generator<B>> {
        let weights = self.weights()?;
        self.meta
            .generator
            .load(weights, device)
            .with_context(|| format!("model {} does not match its weights", self.dir.display()))
    }

    /// Writes metadata and weights; the weights first, so a crash never leaves metadata that
    /// points at missing weights.
    pub fn write(dir: &Path, meta: &ModelMeta, weights: &StateDict) -> Result<Self> {
        if meta.name.is_empty() {
            bail!("a model needs a name");
        }
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        save_safetensors(weights, &dir.join(WEIGHTS_FILE), meta.precision)?;
        let text = toml::to_string_pretty(meta)?;
        write_atomic(&dir.join(META_FILE), text.as_bytes())?;
        Ok(Self {
            dir: dir.to_path_buf(),
            meta: meta.clone(),
        })
    }

    /// The names of the model directories under `root`, sorted (not opened).
    pub fn names(root: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(root)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.join(META_FILE).exists())
                    .filter_map(|p| Some(p.file_name()?.to_str()?.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    }

    /// Every model directory under `root`, sorted by name; unreadable ones as errors.
    pub fn scan(root: &Path) -> Vec<Result<Self>> {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.join(META_FILE).exists())
                    .collect()
            })
            .unwrap_or_default();
        dirs.sort();
        dirs.iter().map(|d| Self::open(d)).collect()
    }
}

/// Today's date as YYYY-MM-DD (UTC), for provenance.
pub fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0) as i64;
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribution_figures_round_trip_and_older_evaluations_still_load() {
        let older = "images = 40\nsize = 128\nmodel_l1 = 0.1\nbaseline_l1 = 0.2\nmean_colour = [0.3, 0.1, 0.2]\n";
        let evaluation: Evaluation = toml::from_str(older).unwrap();
        assert!(evaluation.heldout.is_none() && evaluation.everyday.is_none());

        let figure = |m: f32| Compared {
            model: m,
            baseline: 2.0 * m,
            real: m / 2.0,
        };
        let distribution = Distribution {
            images: 8,
            source: "tests/fixtures/everyday".into(),
            swd: figure(30.0),
            spectrum_db: figure(1.5),
            lattice: figure(4.0),
            swd_level_sizes: vec![128, 64, 32, 16],
            lattice_periods: vec![2, 4],
            swd_levels: vec![figure(1.0), figure(2.0), figure(3.0), figure(4.0)],
            lattice_by_period: vec![figure(1.0), figure(4.0)],
        };
        let evaluation = Evaluation {
            everyday: Some(distribution.clone()),
            heldout: Some(distribution),
            ..evaluation
        };
        let text = toml::to_string_pretty(&evaluation).unwrap();
        let back: Evaluation = toml::from_str(&text).unwrap();
        let everyday = back.everyday.unwrap();
        assert_eq!(everyday.swd_levels[3], figure(4.0));
        assert_eq!(everyday.lattice, figure(4.0));
        assert_eq!(back.heldout.unwrap().source, "tests/fixtures/everyday");
    }
}
