//! Finding and reading target images.

use std::path::{Path, PathBuf};

use image::RgbImage;

const EXTENSIONS: [&str; 7] = ["jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff"];

/// Every image file under `dir`, recursively, in a stable order.
pub fn scan_images(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if has_image_extension(&path) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

fn has_image_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        .unwrap_or(false)
}

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("{path}: cannot read: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("{path}: {width}×{height} is smaller than {min} pixels on a side")]
    TooSmall {
        path: String,
        width: u32,
        height: u32,
        min: u32,
    },
}

/// Decodes any supported image (grey, palette, 16-bit, CMYK JPEG, alpha) to 8-bit RGB.
pub fn read_target(path: &Path, min_side: u32) -> Result<RgbImage, ImageError> {
    let unreadable = |reason: String| ImageError::Unreadable {
        path: path.display().to_string(),
        reason,
    };
    let decoded = image::ImageReader::open(path)
        .map_err(|e| unreadable(e.to_string()))?
        .with_guessed_format()
        .map_err(|e| unreadable(e.to_string()))?
        .decode()
        .map_err(|e| unreadable(e.to_string()))?;
    let rgb = decoded.to_rgb8();
    let (width, height) = rgb.dimensions();
    if width.min(height) < min_side {
        return Err(ImageError::TooSmall {
            path: path.display().to_string(),
            width,
            height,
            min: min_side,
        });
    }
    Ok(rgb)
}

/// What the pair workers send: a pair, or a file that could not be used.
pub enum Item {
    Pair(crate::look::random::Pair),
    Skipped(ImageError),
}

/// Pairs made by worker threads from image paths in a shuffled order, epoch after epoch.
/// Only paths are held: memory stays flat whatever the dataset's size. The bounded channel
/// lets workers run at most a few batches ahead.
pub struct PairStream {
    receiver: std::sync::mpsc::Receiver<Item>,
    _workers: Vec<std::thread::JoinHandle<()>>,
}

impl PairStream {
    pub fn start(
        paths: Vec<PathBuf>,
        randomizer: crate::look::random::LookRandomizer,
        workers: usize,
        seed: u64,
        ahead: usize,
    ) -> Self {
        use rand::seq::SliceRandom;
        use rand::SeedableRng;
        use std::sync::{Arc, Mutex};

        let (sender, receiver) = std::sync::mpsc::sync_channel(ahead.max(1));
        let order = Arc::new(Mutex::new((Vec::<PathBuf>::new(), 0u64)));
        let min_side = (randomizer.size / 4).max(16) as u32;
        let workers = (0..workers.max(1))
            .map(|worker| {
                let sender = sender.clone();
                let order = Arc::clone(&order);
                let paths = paths.clone();
                let randomizer = randomizer.clone();
                std::thread::spawn(move || {
                    let mut rng = rand::rngs::StdRng::seed_from_u64(
                        seed ^ ((worker as u64 + 1) * 0x9E37_79B9),
                    );
                    loop {
                        let path = {
                            let mut guard = order.lock().expect("order lock");
                            let (queue, epoch) = &mut *guard;
                            if queue.is_empty() {
                                *queue = paths.clone();
                                let mut shuffle =
                                    rand::rngs::StdRng::seed_from_u64(seed.wrapping_add(*epoch));
                                queue.shuffle(&mut shuffle);
                                *epoch += 1;
                            }
                            queue.pop().expect("refilled above")
                        };
                        let item = match read_target(&path, min_side) {
                            Ok(target) => Item::Pair(randomizer.pair(&target, &mut rng)),
                            Err(error) => Item::Skipped(error),
                        };
                        if sender.send(item).is_err() {
                            return;
                        }
                    }
                })
            })
            .collect();
        Self {
            receiver,
            _workers: workers,
        }
    }

    pub fn next(&self) -> Option<Item> {
        self.receiver.recv().ok()
    }
}
