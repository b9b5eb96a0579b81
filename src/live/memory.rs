//! Gives freed heap memory back to the system after a model is replaced. A show that switches
//! models for days frees tens of megabytes at a time across several threads' malloc arenas;
//! glibc keeps freed pages mapped, so the resident size creeps up with nothing in use.

use std::sync::mpsc::{channel, Sender};
use std::sync::OnceLock;

static REQUESTS: OnceLock<Sender<()>> = OnceLock::new();

/// Starts the thread that trims when asked (once per process). The `lts live` window does not
/// start it yet: trims make the resident size swing by tens of megabytes, which the 3-minute
/// soak's few cycles read as growth; a longer soak has to show which trimming keeps it flat.
pub fn start_trimming() {
    let (requests, received) = channel::<()>();
    if REQUESTS.set(requests).is_err() {
        return;
    }
    let spawned = std::thread::Builder::new()
        .name("lts memory trim".into())
        .spawn(move || {
            while received.recv().is_ok() {
                while received.try_recv().is_ok() {}
                let before = resident_mb();
                trim();
                tracing::debug!(
                    "memory trimmed: {before:.1} → {:.1} MB resident",
                    resident_mb()
                );
            }
        });
    if let Err(error) = spawned {
        tracing::warn!("no memory trim thread: {error}");
    }
}

/// Asks for a trim (a model was just dropped); nothing happens unless the thread runs.
pub fn trim_soon() {
    if let Some(requests) = REQUESTS.get() {
        let _ = requests.send(());
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    // SAFETY: malloc_trim only walks the allocator's own free lists, under its locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}

/// Resident memory from /proc (0 where there is none).
fn resident_mb() -> f64 {
    let pages = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|statm| statm.split_whitespace().nth(1)?.parse::<f64>().ok())
        .unwrap_or(0.0);
    pages * 4096.0 / 1e6
}
