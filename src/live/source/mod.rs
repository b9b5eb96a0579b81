//! Frame sources, each on its own thread, delivering into a [`Latest`] slot: camera (nokhwa),
//! video file (ffmpeg), image folder, or the built-in synthetic scene.

pub mod camera;
pub mod images;
pub mod synthetic;
pub mod video;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use image::RgbImage;

use super::latest::Latest;

#[derive(Clone, Debug, PartialEq)]
pub enum SourceSpec {
    Camera(u32),
    Video(PathBuf),
    Images(PathBuf),
    Synthetic,
}

impl std::str::FromStr for SourceSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (kind, rest) = s.split_once(':').unwrap_or((s, ""));
        match kind {
            "camera" if rest.is_empty() => Ok(Self::Camera(0)),
            "camera" => rest
                .parse()
                .map(Self::Camera)
                .map_err(|_| format!("camera index must be a number, got `{rest}`")),
            "video" if !rest.is_empty() => Ok(Self::Video(rest.into())),
            "images" if !rest.is_empty() => Ok(Self::Images(rest.into())),
            "synthetic" => Ok(Self::Synthetic),
            _ => Err(format!(
                "unknown source `{s}` (camera[:INDEX], video:PATH, images:DIR, synthetic)"
            )),
        }
    }
}

impl std::fmt::Display for SourceSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Camera(index) => write!(f, "camera:{index}"),
            Self::Video(path) => write!(f, "video:{}", path.display()),
            Self::Images(path) => write!(f, "images:{}", path.display()),
            Self::Synthetic => write!(f, "synthetic"),
        }
    }
}

/// A running source: the newest frame, a one-line status for the overlay, and a stop flag.
#[derive(Clone)]
pub struct SourceHandle {
    pub frames: Latest<RgbImage>,
    pub status: Arc<Mutex<String>>,
    stop: Arc<AtomicBool>,
    /// Milliseconds since `born` at the last frame put (the supervisor watches it).
    delivered_ms: Arc<AtomicU64>,
    born: Instant,
}

impl SourceHandle {
    /// A source whose frames someone else puts (a sketch feeding its own drawings).
    pub fn external(status: &str) -> Self {
        Self::new(status)
    }

    fn new(status: &str) -> Self {
        Self {
            frames: Latest::default(),
            status: Arc::new(Mutex::new(status.to_string())),
            stop: Arc::new(AtomicBool::new(false)),
            delivered_ms: Arc::new(AtomicU64::new(0)),
            born: Instant::now(),
        }
    }

    /// The same frames and status with a stop flag of its own: one attempt at running a
    /// source, which the supervisor can abandon without stopping the show's handle.
    fn attempt(&self) -> Self {
        Self {
            stop: Arc::new(AtomicBool::new(false)),
            ..self.clone()
        }
    }

    /// Delivers a frame.
    pub fn put(&self, frame: RgbImage) {
        self.frames.put(frame);
        let now = self.born.elapsed().as_millis() as u64;
        self.delivered_ms.store(now, Ordering::Relaxed);
    }

    /// How long since the last frame.
    pub fn since_frame(&self) -> Duration {
        let last = Duration::from_millis(self.delivered_ms.load(Ordering::Relaxed));
        self.born.elapsed().saturating_sub(last)
    }

    /// Sets the overlay line; changes are logged, so gallery logs show drop-outs.
    pub fn set_status(&self, status: impl Into<String>) {
        let status = status.into();
        let mut current = self.status.lock().unwrap_or_else(|e| e.into_inner());
        if *current != status {
            tracing::info!("source: {status}");
            *current = status;
        }
    }

    pub fn status(&self) -> String {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Starts `spec` on its own thread. Sources never fail the show: a camera that cannot open or
/// disappears falls back to the synthetic scene (saying so in the status) and keeps retrying.
pub fn start(spec: &SourceSpec) -> SourceHandle {
    let spec = spec.clone();
    // A slideshow delivers one frame per slide; everything else streams.
    let stall = match spec {
        SourceSpec::Images(_) => Duration::from_secs_f32(images::SECONDS_PER_IMAGE * 3.0),
        _ => STALL,
    };
    start_with(&spec.to_string(), stall, move |handle| match &spec {
        SourceSpec::Camera(index) => camera::run(*index, handle),
        SourceSpec::Video(path) => video::run(path, handle),
        SourceSpec::Images(dir) => images::run(dir, handle),
        SourceSpec::Synthetic => synthetic::run(handle),
    })
}

/// A source that delivers no frame for this long counts as lost (a camera that stopped
/// delivering without an error, a hung decoder).
pub const STALL: Duration = Duration::from_secs(3);
const MAX_STUCK: usize = 3;

/// Runs `run` as a supervised source: a panic is caught, logged and the source restarted; a
/// source that delivers nothing for `stall` is abandoned and restarted. Meanwhile the
/// synthetic scene stands in and the status says why, so the show never freezes on a source.
pub fn start_with(
    name: &str,
    stall: Duration,
    run: impl Fn(&SourceHandle) + Send + Sync + 'static,
) -> SourceHandle {
    let handle = SourceHandle::new(&format!("{name}: starting"));
    let supervisor = handle.clone();
    let name = name.to_string();
    let run = Arc::new(run);
    std::thread::Builder::new()
        .name(format!("lts source {name}"))
        .spawn(move || supervise(&name, stall, run, &supervisor))
        .expect("spawn source supervisor");
    handle
}

fn supervise(
    name: &str,
    stall: Duration,
    run: Arc<dyn Fn(&SourceHandle) + Send + Sync>,
    handle: &SourceHandle,
) {
    let mut restarts = 0u32;
    // Threads abandoned while stuck; a source that hangs again and again must not pile them up.
    let mut stuck: Vec<std::thread::JoinHandle<_>> = Vec::new();
    while !handle.stopped() {
        stuck.retain(|thread| !thread.is_finished());
        if stuck.len() >= MAX_STUCK {
            handle.set_status(format!(
                "{name}: {MAX_STUCK} attempts hang: synthetic scene until one returns"
            ));
            stand_in(handle, stall);
            continue;
        }
        let attempt = handle.attempt();
        let started = Instant::now();
        let worker = {
            let attempt = attempt.clone();
            let run = Arc::clone(&run);
            std::thread::Builder::new()
                .name(format!("lts source {name}"))
                .spawn(move || {
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&attempt)))
                })
                .expect("spawn source thread")
        };
        let reason = loop {
            std::thread::sleep(Duration::from_millis(50));
            if handle.stopped() {
                attempt.stop();
                return;
            }
            if worker.is_finished() {
                break match worker.join() {
                    Ok(Err(panic)) => format!("{name} panicked ({})", panic_message(&panic)),
                    _ => format!("{name} ended"),
                };
            }
            let quiet = handle.since_frame().min(started.elapsed());
            if quiet > stall {
                // The stuck thread is left to notice its stop flag if it ever wakes.
                attempt.stop();
                stuck.push(worker);
                break format!("{name} lost: no frame for {:.0} s", quiet.as_secs_f32());
            }
        };
        restarts += 1;
        tracing::warn!("source: {reason}; restarting (restart {restarts})");
        handle.set_status(format!("{reason}: synthetic scene, restarting"));
        stand_in(handle, Duration::from_secs(1).min(stall));
    }
}

/// The synthetic scene for `duration`, so the picture keeps moving while a source restarts.
fn stand_in(handle: &SourceHandle, duration: Duration) {
    let start = Instant::now();
    while start.elapsed() < duration && !handle.stopped() {
        handle.put(synthetic::frame(start.elapsed().as_secs_f32()));
        std::thread::sleep(Duration::from_millis(33));
    }
}

/// What a caught panic said.
pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    use crate::live::testing::wait_for;

    fn grey(value: u8) -> RgbImage {
        RgbImage::from_pixel(8, 8, image::Rgb([value; 3]))
    }

    #[test]
    fn a_source_that_panics_is_restarted_and_says_why() {
        let runs = Arc::new(AtomicU32::new(0));
        let counted = Arc::clone(&runs);
        let handle = start_with("flaky", Duration::from_secs(5), move |handle| {
            counted.fetch_add(1, Ordering::SeqCst);
            for _ in 0..3 {
                handle.put(grey(7));
                std::thread::sleep(Duration::from_millis(5));
            }
            panic!("the driver fell over");
        });
        assert!(
            wait_for(5.0, || runs.load(Ordering::SeqCst) >= 2),
            "never restarted"
        );
        let status = handle.status();
        assert!(
            status.contains("panicked (the driver fell over)"),
            "{status}"
        );
        handle.stop();
    }

    #[test]
    fn a_source_that_stops_delivering_counts_as_lost_and_the_scene_stands_in() {
        let release = Arc::new(AtomicBool::new(false));
        let held = Arc::clone(&release);
        let handle = start_with("camera:0", Duration::from_millis(300), move |handle| {
            handle.put(grey(200));
            // A driver blocked in a read: no error, no frame, deaf to the stop flag.
            while !held.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        assert!(wait_for(2.0, || handle
            .frames
            .take()
            .is_some_and(|f| f[(0, 0)][0] == 200)));
        assert!(
            wait_for(3.0, || handle.status().contains("lost: no frame")),
            "{}",
            handle.status()
        );
        let scene = wait_for(3.0, || {
            handle
                .frames
                .take()
                .is_some_and(|frame| frame.dimensions() != (8, 8))
        });
        assert!(
            scene,
            "the synthetic scene must stand in while the source is lost"
        );
        release.store(true, Ordering::SeqCst);
        handle.stop();
    }
}
