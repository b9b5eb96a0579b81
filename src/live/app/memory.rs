//! Gives freed heap memory back to the system every half minute. A show that switches models
//! for days frees tens of megabytes at a time across many threads' malloc arenas; glibc keeps
//! freed pages mapped, so the resident size can creep up with nothing in use.

use std::time::Duration;

const EVERY: Duration = Duration::from_secs(30);

/// Starts the thread (for the life of the process).
pub fn start_trimming() {
    let spawned = std::thread::Builder::new()
        .name("lts memory trim".into())
        .spawn(|| loop {
            std::thread::sleep(EVERY);
            let before = resident_mb();
            trim();
            tracing::debug!(
                "memory trimmed: {before:.1} → {:.1} MB resident",
                resident_mb()
            );
        });
    if let Err(error) = spawned {
        tracing::warn!("no memory trim thread: {error}");
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
