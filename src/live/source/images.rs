//! A slideshow of an image folder; unreadable files are skipped with a status note.

use std::path::Path;
use std::time::Duration;

use super::SourceHandle;
use crate::train::data::{read_target, scan_images};

pub const SECONDS_PER_IMAGE: f32 = 5.0;

pub fn run(dir: &Path, handle: &SourceHandle) {
    let paths = scan_images(dir).unwrap_or_default();
    if paths.is_empty() {
        handle.set_status(format!(
            "no images in {}: synthetic scene instead",
            dir.display()
        ));
        return super::synthetic::run_with_status(handle);
    }
    // Unreadable files in a row: a whole round of them means nothing here can be shown.
    let mut unreadable = 0;
    for path in paths.iter().cycle() {
        if handle.stopped() {
            return;
        }
        match read_target(path, 2) {
            Ok(image) => {
                unreadable = 0;
                handle.set_status(format!("images: {}", path.display()));
                handle.put(image);
                std::thread::sleep(Duration::from_secs_f32(SECONDS_PER_IMAGE));
            }
            Err(error) => {
                tracing::warn!("images: skipping {error:#}");
                unreadable += 1;
                if unreadable >= paths.len() {
                    handle.set_status(format!(
                        "no readable image in {}: synthetic scene instead",
                        dir.display()
                    ));
                    return super::synthetic::run_with_status(handle);
                }
            }
        }
    }
}
