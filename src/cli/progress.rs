//! A training run's progress as a bar on the terminal.

use indicatif::{ProgressBar, ProgressStyle};
use learning_to_see::train::progress::{StepReport, TrainProgress};

#[derive(Default)]
pub struct TrainingBar {
    bar: Option<ProgressBar>,
}

impl TrainProgress for TrainingBar {
    fn start(&mut self, step: u64, steps: u64) {
        let bar = ProgressBar::new(steps).with_position(step);
        bar.set_style(
            ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} steps  {msg}  ETA {eta}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        self.bar = Some(bar);
    }

    fn step(&mut self, report: &StepReport) {
        let Some(bar) = &self.bar else {
            return;
        };
        let losses = report.losses;
        bar.set_prefix(format!("epoch {}", report.epoch));
        bar.set_message(format!(
            "{:.1} img/s  G {:.3}  L1 {:.3}  D {:.3}",
            report.images_per_s,
            losses.g_gan,
            losses.g_l1,
            0.5 * (losses.d_real + losses.d_fake)
        ));
        bar.set_position(report.step);
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
