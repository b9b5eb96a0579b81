//! The look on the CPU: the reference implementation training, tests and tools use.

use image::RgbImage;

use super::resample::resize;
use super::{Look, LookError, LUMA};

impl Look {
    /// The generator's input for `frame`: `size × size` floats in [-1, 1], row-major.
    pub fn apply(&self, frame: &RgbImage, size: usize) -> Result<Vec<f32>, LookError> {
        self.validate()?;
        let (width, height) = frame.dimensions();
        if width == 0 || height == 0 {
            return Err(LookError::EmptyImage(width, height));
        }
        if size < 2 {
            return Err(LookError::Size(size));
        }
        let (x0, y0, side) = self.crop(width, height);
        let side_px = side as usize;
        let mut grey = Vec::with_capacity(side_px * side_px);
        for y in y0..y0 + side {
            for x in x0..x0 + side {
                let [r, g, b] = frame.get_pixel(x, y).0;
                grey.push((LUMA[0] * r as f32 + LUMA[1] * g as f32 + LUMA[2] * b as f32) / 255.0);
            }
        }
        let framed = resize(&grey, side_px, side_px, size, size);
        Ok(self.degrade(framed, size))
    }

    /// Flips, the downscale/upscale degradation and the tone curve on a `size²` grey image in
    /// [0, 1]; returns [-1, 1].
    pub fn degrade(&self, mut grey: Vec<f32>, size: usize) -> Vec<f32> {
        if self.flip_h {
            grey.chunks_exact_mut(size).for_each(|row| row.reverse());
        }
        if self.flip_v {
            let rows: Vec<Vec<f32>> = grey.chunks_exact(size).rev().map(<[f32]>::to_vec).collect();
            grey = rows.concat();
        }
        let low = self.low_size(size);
        if low < size {
            let small = resize(&grey, size, size, low, low);
            grey = resize(&small, low, low, size, size);
        }
        grey.iter().map(|&g| self.tone(g) * 2.0 - 1.0).collect()
    }
}

/// Converts generator output `[3, H, W]` in [-1, 1] to an RGB image.
pub fn to_rgb_image(planes: &[f32], width: usize, height: usize) -> RgbImage {
    let area = width * height;
    let channels = planes.len() / area;
    RgbImage::from_fn(width as u32, height as u32, |x, y| {
        let i = y as usize * width + x as usize;
        let byte = |c: usize| {
            let v = planes[c.min(channels - 1) * area + i];
            ((v.clamp(-1.0, 1.0) + 1.0) * 127.5).round() as u8
        };
        image::Rgb([byte(0), byte(1), byte(2)])
    })
}

/// Converts a `size²` look in [-1, 1] to a grey image for display.
pub fn to_grey_image(look: &[f32], size: usize) -> image::GrayImage {
    image::GrayImage::from_fn(size as u32, size as u32, |x, y| {
        let v = look[y as usize * size + x as usize];
        image::Luma([((v.clamp(-1.0, 1.0) + 1.0) * 127.5).round() as u8])
    })
}
