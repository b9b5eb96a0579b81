//! Playlists: presets played in turn for their minutes (or a random one every N minutes), for
//! an unattended day. One TOML per playlist under `presets/playlists/`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Playlist {
    /// Presets in turn, each for its minutes, then from the top again.
    #[serde(default, rename = "entry", skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<PlaylistEntry>,
    /// Instead of entries: a random preset every this many minutes…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random_every_minutes: Option<f32>,
    /// …drawn from these (empty: every preset).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub presets: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlaylistEntry {
    pub preset: String,
    pub minutes: f32,
}

/// Shorter than this and a preset would not finish its crossfade.
const SHORTEST_MINUTES: f32 = 1.0 / 60.0;

impl Playlist {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading playlist {}", path.display()))?;
        let playlist: Playlist = toml::from_str(&text)
            .with_context(|| format!("playlist {} is invalid", path.display()))?;
        playlist
            .validate()
            .with_context(|| format!("playlist {} is invalid", path.display()))?;
        Ok(playlist)
    }

    pub fn validate(&self) -> Result<()> {
        let minutes_ok = |m: f32| m.is_finite() && m >= SHORTEST_MINUTES;
        match (self.entries.is_empty(), self.random_every_minutes) {
            (true, None) => bail!("a playlist needs [[entry]] tables or random_every_minutes"),
            (false, Some(_)) => bail!("use either [[entry]] tables or random_every_minutes"),
            (_, Some(minutes)) if !minutes_ok(minutes) => {
                bail!("random_every_minutes must be at least one second, got {minutes}")
            }
            _ => {}
        }
        for entry in &self.entries {
            if entry.preset.is_empty() {
                bail!("an entry needs a preset");
            }
            if !minutes_ok(entry.minutes) {
                bail!(
                    "{}: minutes must be at least one second, got {}",
                    entry.preset,
                    entry.minutes
                );
            }
        }
        Ok(())
    }
}

/// Where a named playlist lives: `NAME` in `presets/playlists/`, or a path to a file.
pub fn playlist_path(presets: &Path, name: &str) -> PathBuf {
    let direct = PathBuf::from(name);
    if direct.extension().is_some_and(|e| e == "toml") {
        direct
    } else {
        presets.join("playlists").join(format!("{name}.toml"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn playlists_parse_and_refuse_what_cannot_play() {
        let turns: Playlist = toml::from_str(
            "[[entry]]\npreset = \"nebula\"\nminutes = 10\n[[entry]]\npreset = \"sea\"\nminutes = 2.5\n",
        )
        .unwrap();
        turns.validate().unwrap();
        assert_eq!(turns.entries[1].minutes, 2.5);
        let random: Playlist = toml::from_str("random_every_minutes = 7.5").unwrap();
        random.validate().unwrap();
        for bad in [
            "",
            "random_every_minutes = 0",
            "random_every_minutes = nan",
            "[[entry]]\npreset = \"sea\"\nminutes = -1\n",
            "[[entry]]\npreset = \"\"\nminutes = 1\n",
            "random_every_minutes = 5\n[[entry]]\npreset = \"sea\"\nminutes = 1\n",
        ] {
            let parsed: Result<Playlist, _> = toml::from_str(bad);
            assert!(
                parsed.map_or(true, |p| p.validate().is_err()),
                "accepted: {bad}"
            );
        }
        assert!(toml::from_str::<Playlist>("shuffle = true").is_err());
        assert_eq!(
            playlist_path(Path::new("presets"), "day"),
            Path::new("presets/playlists/day.toml")
        );
    }

    #[test]
    fn shipped_playlists_load_and_name_shipped_presets() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("presets");
        let files: Vec<PathBuf> = std::fs::read_dir(root.join("playlists"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert!(!files.is_empty());
        let presets = crate::control::preset::PresetList::load(&root, &root.join("../models"));
        for file in files {
            let playlist = Playlist::load(&file).unwrap();
            for entry in &playlist.entries {
                let index = presets.find(&entry.preset);
                assert!(
                    index.is_some_and(|i| presets.entries[i].preset.is_ok()),
                    "{}: no preset {}",
                    file.display(),
                    entry.preset
                );
            }
        }
    }
}
