//! How a square image fills a window, and planes as texture bytes.

pub use crate::show::ViewMode;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fill {
    /// Cover the window, cropping what overflows (no black bars).
    #[default]
    Cover,
    /// Fit inside the window, with bars.
    Fit,
}

/// Side of the square that shows a square image in a `width × height` area.
pub fn square_side(width: f32, height: f32, fill: Fill) -> f32 {
    match fill {
        Fill::Cover => width.max(height),
        Fill::Fit => width.min(height),
    }
}

/// Converts `[3, S, S]` floats in [-1, 1] to RGBA8 texture bytes.
pub fn planes_to_rgba(planes: &[f32], size: usize) -> Vec<u8> {
    let area = size * size;
    let channels = planes.len() / area;
    let mut bytes = Vec::with_capacity(area * 4);
    for i in 0..area {
        for c in 0..3 {
            let v = planes[c.min(channels - 1) * area + i];
            bytes.push(((v.clamp(-1.0, 1.0) + 1.0) * 127.5 + 0.5) as u8);
        }
        bytes.push(255);
    }
    bytes
}

pub fn rgb_to_rgba(rgb: &[u8]) -> Vec<u8> {
    rgb.chunks_exact(3)
        .flat_map(|p| [p[0], p[1], p[2], 255])
        .collect()
}
