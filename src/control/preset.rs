//! Presets: one small TOML per dataset/mood: which model, the look, smoothing, crossfade; and
//! the list of them a show cycles through.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use super::midi::MidiMap;
use super::Param;
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
        // The live parameters' ranges are the show's table, so a preset never holds a value
        // a fader cannot reach.
        for (param, value) in [
            (Param::Brightness, self.look.brightness),
            (Param::Contrast, self.look.contrast),
            (Param::Downscale, self.look.downscale),
            (Param::Smoothing, self.smoothing),
            (Param::Crossfade, self.crossfade),
        ] {
            param.check(value).map_err(anyhow::Error::msg)?;
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

/// One preset file: its preset, or why it cannot be read.
#[derive(Clone, Debug, PartialEq)]
pub struct PresetEntry {
    pub path: PathBuf,
    pub preset: Result<Preset, String>,
}

/// The presets of a directory (sorted by file name), and where their models are.
#[derive(Clone, Debug, PartialEq)]
pub struct PresetList {
    pub dir: PathBuf,
    pub entries: Vec<PresetEntry>,
    pub models: PathBuf,
}

impl PresetList {
    pub fn load(dir: &Path, models: &Path) -> Self {
        let entries = preset_files(dir)
            .into_iter()
            .map(|path| PresetEntry {
                preset: Preset::load(&path).map_err(|e| format!("{e:#}")),
                path,
            })
            .collect();
        Self {
            dir: dir.to_path_buf(),
            entries,
            models: models.to_path_buf(),
        }
    }

    /// Index of a preset by file stem or name.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.entries.iter().position(|e| {
            e.path.file_stem().is_some_and(|s| s == name)
                || e.preset.as_ref().is_ok_and(|p| p.name == name)
        })
    }

    /// The preset's name, or its file where it does not load.
    pub fn label(&self, index: usize) -> String {
        match &self.entries[index].preset {
            Ok(preset) => preset.name.clone(),
            Err(_) => self.entries[index].path.display().to_string(),
        }
    }

    pub fn model_dir(&self, model: &str) -> PathBuf {
        let direct = PathBuf::from(model);
        if direct.is_dir() && direct.components().count() > 1 {
            direct
        } else {
            self.models.join(model)
        }
    }
}
