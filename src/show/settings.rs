//! What the engine needs from the show each frame.

use crate::look::Look;

/// What the performer controls that the engine needs each frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    pub look: Look,
    /// 0 = raw output; closer to 1 = smoother (an exponential moving average per frame).
    pub smoothing: f32,
    pub frozen: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            look: Look::default(),
            smoothing: 0.5,
            frozen: false,
        }
    }
}
