//! A trained generator becomes `models/<name>/` (f16); the model's look is what a preset for it
//! starts from.

use std::path::Path;

use anyhow::Result;
use burn::prelude::*;

use super::config::TrainConfig;
use crate::look::Look;
use crate::model::package::{today, DatasetInfo, Evaluation, ModelMeta, TrainingInfo};
use crate::model::weights::Precision;
use crate::model::{Generator, ModelPackage};

pub struct Export<'a> {
    pub config: &'a TrainConfig,
    pub images: usize,
    pub steps: u64,
    pub command: String,
    pub evaluation: Option<Evaluation>,
}

/// "pix2pix trained … on NAME", followed by what the dataset's `CREDITS.txt` says of itself in
/// its first two lines (the subject and the package its photographs came from), when it has one.
fn describe(dataset: &str, dir: &Path) -> String {
    let own = format!("pix2pix trained by learning-to-see on {dataset}");
    let Ok(credits) = std::fs::read_to_string(dir.join("CREDITS.txt")) else {
        return own;
    };
    let about: Vec<&str> = credits
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .take(2)
        .collect();
    if about.is_empty() {
        own
    } else {
        format!("{own}: {}", about.join(" "))
    }
}

impl Export<'_> {
    pub fn write<B: Backend>(
        &self,
        generator: Generator<B>,
        models: &Path,
    ) -> Result<ModelPackage> {
        let config = self.config;
        let look = Look {
            downscale: config.downscale,
            ..Look::default()
        };
        let dataset = config
            .data
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("dataset")
            .to_string();
        let earlier = config
            .init_from
            .as_ref()
            .map_or(&[][..], |start| &start.history[..]);
        let earlier_steps: u64 = earlier.iter().map(|run| run.steps).sum();
        let meta = ModelMeta {
            name: config.name.clone(),
            description: describe(&dataset, &config.data),
            generator: config.generator(),
            resolution: config.size,
            precision: Precision::F16,
            look,
            dataset: Some(DatasetInfo {
                name: dataset,
                images: self.images,
                source: config.data.display().to_string(),
            }),
            training: Some(TrainingInfo {
                steps: earlier_steps + self.steps,
                epochs: (earlier_steps + self.steps) as f64 * config.batch as f64
                    / self.images.max(1) as f64,
                batch: config.batch,
                ndf: config.ndf,
                date: today(),
                earlier: earlier.to_vec(),
            }),
            evaluation: self.evaluation.clone(),
            made_by: self.command.clone(),
            credits: "Method: Memo Akten, Learning to See (2017); pix2pix: Isola et al. (2017)."
                .into(),
        };
        let dir = models.join(&config.name);
        ModelPackage::write(&dir, &meta, &generator.state_dict())
    }
}
