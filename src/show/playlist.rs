//! A playlist being played: which entry, how long until the next, paused or not.

use crate::control::playlist::Playlist;

pub struct PlaylistRun {
    pub name: String,
    playlist: Playlist,
    position: Option<usize>,
    /// Seconds until the next preset.
    remaining: f32,
    pub running: bool,
    rng: u64,
}

impl PlaylistRun {
    pub fn new(name: &str, playlist: Playlist) -> Self {
        let seed = name.bytes().fold(0x9E37_79B9_7F4A_7C15u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x100_0000_01B3)
        });
        Self {
            name: name.to_string(),
            playlist,
            position: None,
            remaining: 0.0,
            running: true,
            rng: seed | 1,
        }
    }

    /// Counts `dt` seconds down; true when the next preset is due.
    pub fn due(&mut self, dt: f32) -> bool {
        if !self.running {
            return false;
        }
        self.remaining -= dt;
        self.remaining <= 0.0
    }

    /// The next preset to play (and starts its time, less any overshoot of the last, so the
    /// schedule keeps time however coarse the ticks), skipping names `exists` does not know;
    /// `all` are the presets a random playlist without its own list draws from, `current` the
    /// one playing (a random draw avoids it).
    pub fn next(
        &mut self,
        exists: impl Fn(&str) -> bool,
        all: &[String],
        current: Option<&str>,
    ) -> Option<String> {
        if let Some(minutes) = self.playlist.random_every_minutes {
            let roll = self.random();
            let own = &self.playlist.presets;
            let pool: Vec<&String> = if own.is_empty() {
                all.iter().collect()
            } else {
                own.iter().collect()
            };
            let mut candidates: Vec<&String> = pool.into_iter().filter(|n| exists(n)).collect();
            if candidates.len() > 1 {
                candidates.retain(|n| Some(n.as_str()) != current);
            }
            if candidates.is_empty() {
                return None;
            }
            let pick = candidates[(roll % candidates.len() as u64) as usize].clone();
            self.remaining = self.remaining.min(0.0) + minutes * 60.0;
            return Some(pick);
        }
        let count = self.playlist.entries.len();
        for _ in 0..count {
            let position = self.position.map_or(0, |p| (p + 1) % count);
            self.position = Some(position);
            let entry = &self.playlist.entries[position];
            if exists(&entry.preset) {
                self.remaining = self.remaining.min(0.0) + entry.minutes * 60.0;
                return Some(entry.preset.clone());
            }
        }
        None
    }

    /// For the overlay: where it is and when the next preset comes.
    pub fn status(&self) -> String {
        let left = self.remaining.max(0.0) as u64;
        let at = match self.position {
            Some(p) => format!(" {}/{}", p + 1, self.playlist.entries.len()),
            None => String::new(),
        };
        let state = if self.running { "next in" } else { "paused," };
        format!(
            "playlist {}{at}: {state} {}:{:02}",
            self.name,
            left / 60,
            left % 60
        )
    }

    fn random(&mut self) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }
}
