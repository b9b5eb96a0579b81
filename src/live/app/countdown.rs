//! A timed run (`--frames N`) counts its frames from the model's first picture: before it,
//! the show may be loading the model or (on a GPU, above all a software one) compiling its
//! kernels, and neither a screenshot nor frame times of that stretch say anything about the
//! show.

/// How long a timed run waits for the model's first picture before counting anyway.
const MODEL_WAIT_S: f32 = 200.0;

pub(super) struct Countdown {
    total: u64,
    started_at: Option<u64>,
}

/// Where a timed run stands at one frame.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Step {
    /// The model's picture is not on screen yet.
    Waiting,
    /// The count has just begun, after this many frames of waiting.
    Started { waited: u64 },
    /// Frames counted so far (before this one).
    Counting(u64),
    /// All frames are drawn: quit.
    Done,
}

impl Countdown {
    pub fn new(total: u64) -> Self {
        Self {
            total,
            started_at: None,
        }
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    /// `ready`: the model's picture is on screen, or there is no model to wait for.
    pub fn step(&mut self, frame: u64, ready: bool, elapsed_s: f32) -> Step {
        let Some(start) = self.started_at else {
            if ready || elapsed_s >= MODEL_WAIT_S {
                self.started_at = Some(frame);
                return Step::Started { waited: frame };
            }
            return Step::Waiting;
        };
        let counted = frame - start;
        if counted >= self.total {
            Step::Done
        } else {
            Step::Counting(counted)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Countdown, Step};

    #[test]
    fn frames_are_counted_from_the_models_first_picture() {
        let mut countdown = Countdown::new(3);
        assert_eq!(countdown.step(0, false, 0.0), Step::Waiting);
        assert_eq!(countdown.step(1, false, 5.0), Step::Waiting);
        assert_eq!(countdown.step(2, true, 6.0), Step::Started { waited: 2 });
        assert_eq!(countdown.step(3, false, 6.1), Step::Counting(1));
        assert_eq!(countdown.step(4, true, 6.2), Step::Counting(2));
        assert_eq!(countdown.step(5, true, 6.3), Step::Done);
    }

    #[test]
    fn a_model_that_never_shows_does_not_hold_the_run_forever() {
        let mut countdown = Countdown::new(2);
        assert_eq!(countdown.step(0, false, 0.0), Step::Waiting);
        assert_eq!(countdown.step(7, false, 250.0), Step::Started { waited: 7 });
        assert_eq!(countdown.step(8, false, 250.1), Step::Counting(1));
        assert_eq!(countdown.step(9, false, 250.2), Step::Done);
    }
}
