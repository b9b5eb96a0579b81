//! A slideshow of an image folder; unreadable files are skipped with a status note.

use std::path::Path;
use std::time::Duration;

use super::SourceHandle;
use crate::train::data::{read_target, scan_images};

const SECONDS_PER_IMAGE: f32 = 5.0;

pub fn run(dir: &Path, handle: &SourceHandle) {
    let paths = scan_images(dir).unwrap_or_default();
    if paths.is_empty() {
        handle.set_status(format!(
            "no images in {}: synthetic scene instead",
            dir.display()
        ));
        return super::synthetic::run_with_status(handle);
    }
    for path in paths.iter().cycle() {
        if handle.stopped() {
            return;
        }
        match read_target(path, 2) {
            Ok(image) => {
                handle.set_status(format!("images: {}", path.display()));
                handle.frames.put(image);
                std::thread::sleep(Duration::from_secs_f32(SECONDS_PER_IMAGE));
            }
            Err(error) => handle.set_status(format!("skipping {error}")),
        }
    }
}
