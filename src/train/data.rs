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
