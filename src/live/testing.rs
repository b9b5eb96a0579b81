//! Helpers for the live layer's unit tests.

use std::time::{Duration, Instant};

/// Waits up to `seconds` for `done`; whether it came.
pub fn wait_for(seconds: f32, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed().as_secs_f32() < seconds {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}
