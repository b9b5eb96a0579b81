//! Frame times, for the overlay, `/lts/state` and the summary at the end of a timed run. A
//! show that runs for days keeps only fixed-size figures; every frame time is kept only in a
//! timed run (`--frames N`), which bounds them.

use nannou::prelude::*;

use crate::live::engine::Timings;

pub(super) struct FrameStats {
    pub drawn: u64,
    pub fps: f32,
    longest: LongestRecent,
    /// Every frame time and stage timing, in a timed run only.
    timed: Option<TimedRun>,
}

#[derive(Default)]
struct TimedRun {
    times_ms: Vec<f32>,
    stages: Vec<Timings>,
}

/// The longest frame over the last [`LongestRecent::WINDOW_S`] to twice that: the current
/// window's and the previous one's maximum.
#[derive(Default)]
struct LongestRecent {
    window_started_s: f32,
    current_ms: f32,
    previous_ms: f32,
}

impl LongestRecent {
    const WINDOW_S: f32 = 5.0;

    fn record(&mut self, now_s: f32, frame_ms: f32) {
        if now_s - self.window_started_s >= Self::WINDOW_S {
            self.previous_ms = self.current_ms;
            self.current_ms = 0.0;
            self.window_started_s = now_s;
        }
        self.current_ms = self.current_ms.max(frame_ms);
    }

    fn get(&self) -> f32 {
        self.current_ms.max(self.previous_ms)
    }
}

impl FrameStats {
    const WARM_UP: u64 = 10;

    /// `timed`: keep every frame's time for [`FrameStats::summary`].
    pub fn new(timed: bool) -> Self {
        Self {
            drawn: 0,
            fps: 0.0,
            longest: LongestRecent::default(),
            timed: timed.then(TimedRun::default),
        }
    }

    pub fn record(&mut self, app: &App) {
        self.drawn = app.elapsed_frames();
        self.fps = app.fps() as f32;
        if self.drawn <= Self::WARM_UP {
            return;
        }
        let frame_ms = app.time_delta() * 1e3;
        self.longest.record(app.time(), frame_ms);
        if let Some(timed) = &mut self.timed {
            timed.times_ms.push(frame_ms);
        }
    }

    /// Forgets the frame times so far (a timed run counts from the model's first picture).
    pub fn restart_timing(&mut self) {
        if let Some(timed) = &mut self.timed {
            *timed = TimedRun::default();
        }
    }

    pub fn record_output(&mut self, timings: &Timings) {
        if let Some(timed) = self.timed.as_mut().filter(|_| self.drawn > Self::WARM_UP) {
            timed.stages.push(*timings);
        }
    }

    /// The longest time between two frames over the last 5 to 10 seconds.
    pub fn longest_recent_ms(&self) -> f32 {
        self.longest.get()
    }

    pub fn stages(&self) -> &[Timings] {
        self.timed.as_ref().map_or(&[], |timed| &timed.stages)
    }

    pub fn summary(&self) -> String {
        let mut times = self
            .timed
            .as_ref()
            .map(|timed| timed.times_ms.clone())
            .unwrap_or_default();
        if times.is_empty() {
            return "frame time: not measured".into();
        }
        times.sort_by(f32::total_cmp);
        let mean = times.iter().sum::<f32>() / times.len() as f32;
        let p99 = times[(times.len() * 99 / 100).min(times.len() - 1)];
        format!(
            "frame time: mean {mean:.1} ms, p99 {p99:.1} ms, max {:.1} ms over {} frames",
            times[times.len() - 1],
            times.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::LongestRecent;

    #[test]
    fn the_longest_recent_frame_is_forgotten_after_two_windows() {
        let mut longest = LongestRecent::default();
        let mut now = 0.0;
        let mut frame = |longest: &mut LongestRecent, ms: f32| {
            now += ms / 1e3;
            longest.record(now, ms);
        };
        for _ in 0..100 {
            frame(&mut longest, 16.0);
        }
        frame(&mut longest, 1500.0);
        assert_eq!(longest.get(), 1500.0, "a hitch shows at once");
        for _ in 0..300 {
            frame(&mut longest, 16.0);
        }
        assert_eq!(longest.get(), 1500.0, "and for at least one window");
        for _ in 0..400 {
            frame(&mut longest, 16.0);
        }
        assert_eq!(longest.get(), 16.0, "then the usual frame again");
    }
}
