//! The presets a show cycles through, and which model directory each one needs.

use std::path::{Path, PathBuf};

use crate::preset::{preset_files, Preset};

pub struct PresetEntry {
    pub path: PathBuf,
    pub preset: Result<Preset, String>,
}

pub struct PresetList {
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
            entries,
            models: models.to_path_buf(),
        }
    }

    /// Index of a preset by file stem or name; `default` when nothing is asked for.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.entries.iter().position(|e| {
            e.path.file_stem().is_some_and(|s| s == name)
                || e.preset.as_ref().is_ok_and(|p| p.name == name)
        })
    }

    pub fn model_dir(&self, preset: &Preset) -> PathBuf {
        let direct = PathBuf::from(&preset.model);
        if direct.is_dir() && direct.components().count() > 1 {
            direct
        } else {
            self.models.join(&preset.model)
        }
    }
}
