//! What a training run reports as it goes. The library only reports; the `lts` binary draws
//! the reports as a progress bar, and a program embedding the trainer may show them its own way.

use super::gan::Losses;

/// One finished training step.
#[derive(Clone, Copy, Debug)]
pub struct StepReport {
    pub step: u64,
    pub steps: u64,
    /// Counted from 1.
    pub epoch: u64,
    /// Over the steps of this run (a resumed run counts from where it resumed).
    pub images_per_s: f64,
    pub losses: Losses,
}

pub trait TrainProgress {
    /// The steps begin at `step` (0, or where a resumed run left off) of `steps`.
    fn start(&mut self, step: u64, steps: u64) {
        let _ = (step, steps);
    }

    fn step(&mut self, report: &StepReport) {
        let _ = report;
    }

    /// No more steps: what follows is the last checkpoint and the export.
    fn finish(&mut self) {}
}
