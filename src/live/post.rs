//! The post stage, written once for planes on the CPU and tensors on the GPU: temporal
//! smoothing (an exponential moving average per pass) and the crossfade between models.

use std::time::Instant;

/// Smoothing counts as settled once what is left of an old picture is below this (a quarter
/// of one 8-bit step on the [-1, 1] scale).
const SETTLED: f32 = 0.5 / 255.0;

/// What the post stage needs of a picture.
pub trait Blend: Clone {
    fn same_shape(&self, other: &Self) -> bool;
    /// `self` moved towards `other` by `t` (0 = self, 1 = other), in `self`'s storage where it
    /// can (this runs every frame).
    fn mix(self, other: &Self, t: f32) -> Self;
}

impl Blend for Vec<f32> {
    fn same_shape(&self, other: &Self) -> bool {
        self.len() == other.len()
    }

    fn mix(mut self, other: &Self, t: f32) -> Self {
        for (a, b) in self.iter_mut().zip(other) {
            *a += (b - *a) * t;
        }
        self
    }
}

struct Fade<P> {
    from: P,
    started: Instant,
    seconds: f32,
}

pub struct Post<P> {
    smoothed: Option<P>,
    fade: Option<Fade<P>>,
    /// Passes since the input last changed, and the smoothing they ran with: a still picture
    /// keeps being processed until the average has reached it.
    still_passes: i32,
    keep: f32,
}

impl<P> Default for Post<P> {
    fn default() -> Self {
        Self {
            smoothed: None,
            fade: None,
            still_passes: 0,
            keep: 0.0,
        }
    }
}

impl<P: Blend> Post<P> {
    /// Fades from what is on screen now to whatever comes next, over `seconds`.
    pub fn start_crossfade(&mut self, seconds: f32) {
        if let Some(from) = self.smoothed.take().filter(|_| seconds > 0.0) {
            self.fade = Some(Fade {
                from,
                started: Instant::now(),
                seconds,
            });
        }
    }

    /// A new frame, knob or model: the picture will move again.
    pub fn input_changed(&mut self) {
        self.still_passes = 0;
    }

    /// A crossfade is running or the smoothing has not reached a still picture yet: another
    /// pass is due even when nothing else changed.
    pub fn unsettled(&self) -> bool {
        self.fade.is_some() || (self.keep > 0.0 && self.keep.powi(self.still_passes) > SETTLED)
    }

    /// The picture to show for the generator's `raw` output.
    pub fn process(&mut self, raw: P, smoothing: f32) -> P {
        let keep = smoothing.clamp(0.0, 0.99);
        self.keep = keep;
        self.still_passes = self.still_passes.saturating_add(1);
        let smoothed = match self.smoothed.take() {
            Some(previous) if previous.same_shape(&raw) && keep > 0.0 => {
                previous.mix(&raw, 1.0 - keep)
            }
            _ => raw,
        };
        let mut shown = smoothed.clone();
        if let Some(fade) = &self.fade {
            let t = fade.started.elapsed().as_secs_f32() / fade.seconds;
            if t >= 1.0 || !fade.from.same_shape(&shown) {
                self.fade = None;
            } else {
                shown = shown.mix(&fade.from, 1.0 - t);
            }
        }
        self.smoothed = Some(smoothed);
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs passes over one still picture while the stage says it is unsettled.
    fn settle(post: &mut Post<Vec<f32>>, picture: &[f32], smoothing: f32) -> (Vec<f32>, usize) {
        post.input_changed();
        let mut shown = post.process(picture.to_vec(), smoothing);
        let mut passes = 1;
        while post.unsettled() {
            shown = post.process(picture.to_vec(), smoothing);
            passes += 1;
            assert!(passes < 10_000, "never settles");
        }
        (shown, passes)
    }

    #[test]
    fn smoothing_reaches_a_still_picture() {
        let mut post = Post::default();
        settle(&mut post, &[-1.0; 16], 0.9);
        let (shown, passes) = settle(&mut post, &[1.0; 16], 0.9);
        let worst = shown.iter().map(|v| (v - 1.0).abs()).fold(0.0, f32::max);
        assert!(
            worst <= 2.0 * SETTLED,
            "a slide held still shows {worst} of the previous one after {passes} passes"
        );
        assert!(
            passes > 10,
            "smoothing 0.9 must glide, took {passes} passes"
        );
        let (_, passes) = settle(&mut post, &[0.0; 16], 0.0);
        assert_eq!(passes, 1, "no smoothing needs no extra pass");
    }

    #[test]
    fn a_crossfade_runs_from_the_old_picture_and_ends() {
        let mut post = Post::default();
        post.process(vec![0.0; 4], 0.0);
        post.start_crossfade(0.05);
        let first = post.process(vec![1.0; 4], 0.0);
        assert!(first[0] < 0.5, "starts near the old picture: {first:?}");
        assert!(post.unsettled());
        std::thread::sleep(std::time::Duration::from_millis(60));
        let last = post.process(vec![1.0; 4], 0.0);
        assert_eq!(last, vec![1.0; 4]);
        assert!(!post.unsettled());
    }
}
