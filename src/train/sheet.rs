//! Sample sheets for judging a model by eye: one row per input, `look | output | target` for
//! held-out targets and `look | output | photograph` for everyday photographs (no target: the
//! photograph the look was made from stands in the third column).

use anyhow::Result;
use image::RgbImage;

use super::evaluate::target_planes;
use crate::infer::{Cpu, Inference};
use crate::look::cpu::to_rgb_image;
use crate::model::ModelPackage;

/// A sheet of `images` (square-cropped to `size`²) through `package`, three columns per row.
pub fn sample_sheet(package: &ModelPackage, images: &[RgbImage], size: usize) -> Result<RgbImage> {
    let inference = Inference::<Cpu>::from_package(package, Default::default())?;
    let mut sheet = RgbImage::new((3 * size) as u32, (images.len() * size) as u32);
    for (row, image) in images.iter().enumerate() {
        let look = package.meta.look.apply(image, size)?;
        let output = inference.run(&look, size)?;
        let original = target_planes(image, size);
        let y = (row * size) as i64;
        for (column, planes) in [&look, &output, &original].into_iter().enumerate() {
            let tile = to_rgb_image(planes, size, size);
            image::imageops::replace(&mut sheet, &tile, (column * size) as i64, y);
        }
    }
    Ok(sheet)
}

/// `count` items spread evenly over `items` (all of them when there are fewer).
pub fn spread<T: Clone>(items: &[T], count: usize) -> Vec<T> {
    if items.len() <= count {
        return items.to_vec();
    }
    (0..count)
        .map(|i| items[i * items.len() / count].clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::spread;

    #[test]
    fn spread_picks_evenly_and_keeps_short_lists() {
        assert_eq!(spread(&[1, 2, 3, 4, 5, 6, 7, 8], 4), vec![1, 3, 5, 7]);
        assert_eq!(spread(&[1, 2], 4), vec![1, 2]);
    }
}
