//! Frame sources, each on its own thread, delivering into a [`Latest`] slot: camera (nokhwa),
//! video file (ffmpeg), image folder, or the built-in synthetic scene.

pub mod camera;
pub mod images;
pub mod synthetic;
pub mod video;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

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
        }
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
    let handle = SourceHandle::new(&format!("{spec}: starting"));
    let thread_handle = handle.clone();
    let spec = spec.clone();
    std::thread::Builder::new()
        .name(format!("lts source {spec}"))
        .spawn(move || match spec {
            SourceSpec::Camera(index) => camera::run(index, &thread_handle),
            SourceSpec::Video(path) => video::run(&path, &thread_handle),
            SourceSpec::Images(dir) => images::run(&dir, &thread_handle),
            SourceSpec::Synthetic => synthetic::run(&thread_handle),
        })
        .expect("spawn source thread");
    handle
}
