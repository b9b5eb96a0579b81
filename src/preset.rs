//! Presets: one small TOML per dataset/mood: which model, the look, smoothing, crossfade.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::control::midi::MidiMap;
use crate::look::Look;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    /// Shown in the overlay; defaults to the file name.
    #[serde(default)]
    pub name: String,
    /// A model directory name under `models/`.
    pub model: String,
    #[serde(default)]
    pub look: Look,
    /// Temporal smoothing of the output, 0 (none) .. 0.95 (very smooth).
    #[serde(default = "default_smoothing")]
    pub smoothing: f32,
    /// Seconds to crossfade when switching to this preset's model.
    #[serde(default = "default_crossfade")]
    pub crossfade: f32,
    /// MIDI bindings of this preset, consulted before the mapping file's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub midi: Option<MidiMap>,
}

fn default_smoothing() -> f32 {
    0.5
}

fn default_crossfade() -> f32 {
    1.0
}

impl Preset {
    pub fn new(name: &str, model: &str, look: Look) -> Self {
        Self {
            name: name.to_string(),
            model: model.to_string(),
            look,
            smoothing: default_smoothing(),
            crossfade: default_crossfade(),
            midi: None,
        }
    }

    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading preset {}", path.display()))?;
        let mut preset: Preset = toml::from_str(&text)
            .with_context(|| format!("preset {} is invalid", path.display()))?;
        if preset.name.is_empty() {
            preset.name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("preset")
                .to_string();
        }
        preset
            .validate()
            .with_context(|| format!("preset {} is invalid", path.display()))?;
        Ok(preset)
    }

    pub fn validate(&self) -> Result<()> {
        self.look.validate()?;
        if !(0.0..=0.99).contains(&self.smoothing) {
            bail!("smoothing must be within 0..0.99, got {}", self.smoothing);
        }
        if !(0.0..=30.0).contains(&self.crossfade) {
            bail!(
                "crossfade must be within 0..30 seconds, got {}",
                self.crossfade
            );
        }
        if self.model.is_empty() {
            bail!("a preset needs a model");
        }
        if let Some(midi) = &self.midi {
            midi.validate()?;
        }
        Ok(())
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        crate::atomic::write_atomic(path, toml::to_string_pretty(self)?.as_bytes())
            .with_context(|| format!("writing {}", path.display()))
    }
}

/// Every `*.toml` in a presets directory, sorted by file name (index 0 = first).
pub fn preset_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}
