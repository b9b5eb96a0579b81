//! The master level: blackout fades the picture out and back in, never cuts.

/// How long blackout takes to fade out, and the picture to fade back in.
pub const BLACKOUT_FADE_SECONDS: f32 = 0.25;

/// The master level `dt` seconds on: linearly towards 0 in blackout, else towards 1.
pub fn fade_level(level: f32, blackout: bool, dt: f32) -> f32 {
    let step = dt.max(0.0) / BLACKOUT_FADE_SECONDS;
    if blackout {
        (level - step).max(0.0)
    } else {
        (level + step).min(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blackout_fades_out_and_back_in_within_the_fade_time() {
        let frame = 1.0 / 60.0;
        let mut level = 1.0;
        let mut frames = 0;
        while level > 0.0 {
            level = fade_level(level, true, frame);
            frames += 1;
            assert!(frames < 100, "never reached black");
        }
        let seconds = frames as f32 * frame;
        assert!(
            (0.2..=0.3).contains(&seconds),
            "faded out in {seconds} s, not a cut and not a slow dissolve"
        );
        let halfway = fade_level(0.0, false, BLACKOUT_FADE_SECONDS / 2.0);
        assert!((halfway - 0.5).abs() < 1e-6, "{halfway}");
        assert_eq!(fade_level(0.9, false, 1.0), 1.0);
        assert_eq!(
            fade_level(0.5, true, -1.0),
            0.5,
            "time never runs backwards"
        );
    }
}
