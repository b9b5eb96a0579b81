//! Training pairs from a target image alone: random 100–130% scale and crop, flips, and the
//! look with random brightness (±0.2) and contrast (×0.85..1.15).

use image::RgbImage;
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::resample::resize;
use super::{Look, LUMA};

/// Which random flips a dataset allows (waves may flip horizontally but not upside down).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flip {
    #[default]
    None,
    H,
    V,
    Hv,
}

impl std::str::FromStr for Flip {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "none" => Ok(Self::None),
            "h" => Ok(Self::H),
            "v" => Ok(Self::V),
            "hv" | "vh" => Ok(Self::Hv),
            other => Err(format!("unknown flip `{other}` (none | h | v | hv)")),
        }
    }
}

/// One training example: the look (`[1, S, S]`) and the target (`[3, S, S]`), both in [-1, 1].
#[derive(Clone, Debug)]
pub struct Pair {
    pub input: Vec<f32>,
    pub target: Vec<f32>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LookRandomizer {
    pub size: usize,
    pub downscale: f32,
    pub flip: Flip,
    pub max_scale: f32,
    pub brightness: f32,
    pub contrast: f32,
}

impl LookRandomizer {
    pub fn new(size: usize, downscale: f32, flip: Flip) -> Self {
        Self {
            size,
            downscale,
            flip,
            max_scale: 1.3,
            brightness: 0.2,
            contrast: 0.15,
        }
    }

    pub fn pair(&self, image: &RgbImage, rng: &mut impl Rng) -> Pair {
        let size = self.size;
        let scale = rng.random_range(1.0..=self.max_scale);
        let (width, height) = image.dimensions();
        let short = width.min(height) as f32;
        let factor = (size as f32 * scale) / short;
        let sw = ((width as f32 * factor).round() as usize).max(size);
        let sh = ((height as f32 * factor).round() as usize).max(size);
        let x0 = rng.random_range(0..=sw - size);
        let y0 = rng.random_range(0..=sh - size);
        let flip_h = matches!(self.flip, Flip::H | Flip::Hv) && rng.random_bool(0.5);
        let flip_v = matches!(self.flip, Flip::V | Flip::Hv) && rng.random_bool(0.5);

        let area = size * size;
        let mut target = vec![0.0f32; 3 * area];
        let mut grey = vec![0.0f32; area];
        let (w, h) = (width as usize, height as usize);
        let raw = image.as_raw();
        for channel in 0..3 {
            let plane: Vec<f32> = raw[channel..]
                .iter()
                .step_by(3)
                .map(|&v| v as f32 / 255.0)
                .collect();
            let scaled = resize(&plane, w, h, sw, sh);
            for y in 0..size {
                let sy = if flip_v { size - 1 - y } else { y };
                for x in 0..size {
                    let sx = if flip_h { size - 1 - x } else { x };
                    let v = scaled[(y0 + sy) * sw + x0 + sx].clamp(0.0, 1.0);
                    target[channel * area + y * size + x] = v * 2.0 - 1.0;
                    grey[y * size + x] += LUMA[channel] * v;
                }
            }
        }
        let look = Look {
            downscale: self.downscale,
            brightness: rng.random_range(-self.brightness..=self.brightness),
            contrast: rng.random_range(1.0 - self.contrast..=1.0 + self.contrast),
            ..Look::default()
        };
        Pair {
            input: look.degrade(grey, size),
            target,
        }
    }
}
