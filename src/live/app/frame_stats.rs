//! Frame times, for the overlay, `/lts/state` and the summary at the end of a timed run.

use nannou::prelude::*;

use crate::live::engine::Timings;

#[derive(Default)]
pub(super) struct FrameStats {
    pub drawn: u64,
    pub fps: f32,
    times_ms: Vec<f32>,
    /// Stage timings of the engine outputs shown.
    pub stages: Vec<Timings>,
}

impl FrameStats {
    const WARM_UP: u64 = 10;

    pub fn record(&mut self, app: &App) {
        self.drawn = app.elapsed_frames();
        self.fps = app.fps() as f32;
        if self.drawn > Self::WARM_UP && self.times_ms.len() < 1_000_000 {
            self.times_ms.push(app.time_delta() * 1e3);
        }
    }

    pub fn record_output(&mut self, timings: &Timings) {
        if self.drawn > Self::WARM_UP && self.stages.len() < 1_000_000 {
            self.stages.push(*timings);
        }
    }

    pub fn summary(&self) -> String {
        let mut times = self.times_ms.clone();
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
